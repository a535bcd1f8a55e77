package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.DedicatedConnection;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.proxy.upstream.UpstreamObserver;
import io.respite.proxy.upstream.UpstreamPool;
import io.respite.proxy.upstream.UpstreamSettings;
import io.respite.resp.RespCommand;
import io.respite.resp.RespLimits;
import io.respite.resp.RespVersion;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisFleet;
import io.respite.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link UpstreamPool#moveTo} and {@link UpstreamPool#hold}, what a Sentinel failover drives, between
 * two standalone servers: commands held go to the new address when the pool moves (and to the old
 * one when the hold ends without a move), later ones follow, and a leased dedicated connection
 * breaks, its owner told why.
 */
@ExtendWith(RedisExtension.class)
class UpstreamMoveIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void heldCommandsAndLaterOnesGoWhereThePoolMoved(RedisFleet fleet) throws Exception {
        RedisServer first = fleet.start();
        RedisServer second = fleet.start();
        ProxyResources resources = new ProxyResources(1);
        UpstreamPool pool = new UpstreamPool(
                resources.workers,
                resources.flushers,
                new UpstreamSettings(
                        first.host(),
                        first.port(),
                        null,
                        null,
                        0,
                        WAIT,
                        RespLimits.TRUSTED_RELAY,
                        resources.channelType,
                        4,
                        1,
                        Duration.ofSeconds(60),
                        null),
                (lane, recovered) -> {},
                cause -> {},
                UpstreamObserver.NONE,
                0);
        try {
            EventLoop loop = resources.workers.next();
            UpstreamLane lane = pool.lane(loop);
            assertEquals("+OK\r\n", send(lane, "SET", "k", "first"));

            // A hold that ends without a move lets its commands go where they were going.
            pool.hold(true);
            CompletableFuture<String> released = sendLater(lane, "SET", "released", "yes");
            pool.hold(false);
            assertEquals("+OK\r\n", released.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals("$3\r\nyes\r\n", first.callString("GET", "released"));

            CompletableFuture<String> lost = new CompletableFuture<>();
            DedicatedConnection leased = loop.submit(
                            () -> lane.dedicated(RespVersion.RESP2, ReferenceCountUtil::release, lost::complete))
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(leased);
            CompletableFuture<String> watched = new CompletableFuture<>();
            loop.execute(() -> leased.send(0, frame("WATCH", "k"), callback(watched), true));
            assertEquals("+OK\r\n", watched.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));

            // Held, then moved: the command goes to the new address only.
            pool.hold(true);
            CompletableFuture<String> held = sendLater(lane, "SET", "k", "held");
            pool.moveTo(second.host(), second.port());
            assertEquals("+OK\r\n", held.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals("$4\r\nheld\r\n", second.callString("GET", "k"));
            assertEquals("$5\r\nfirst\r\n", first.callString("GET", "k"));
            assertEquals("+OK\r\n", send(lane, "SET", "after", "move"));
            assertEquals("$4\r\nmove\r\n", second.callString("GET", "after"));
            assertEquals(second.host() + ":" + second.port(), pool.address());

            String why = lost.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(why.contains("the primary moved from " + first.host() + ":" + first.port()), why);
        } finally {
            pool.close();
            resources.shutdown(1000);
        }
    }

    /** Sends a command on the lane's loop and waits for its reply, as text. */
    private static String send(UpstreamLane lane, String... args) throws Exception {
        return sendLater(lane, args).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends a command on the lane's loop (after whatever was handed to the loop before); its reply to come. */
    private static CompletableFuture<String> sendLater(UpstreamLane lane, String... args) {
        CompletableFuture<String> reply = new CompletableFuture<>();
        lane.loop().execute(() -> lane.send(0, RespVersion.RESP2, frame(args), callback(reply)));
        return reply;
    }

    /** Returns a new reference the caller must release (or hand on). */
    private static ByteBuf frame(String... args) {
        RespCommand command = RespCommand.of(args);
        ByteBuf frame = command.frame().retain();
        command.release();
        return frame;
    }

    private static ReplyCallback callback(CompletableFuture<String> reply) {
        return new ReplyCallback() {
            @Override
            public void onReply(ByteBuf frame) {
                try {
                    reply.complete(frame.toString(StandardCharsets.UTF_8));
                } finally {
                    frame.release();
                }
            }

            @Override
            public void onFailure(String error) {
                reply.complete("failed: " + error);
            }
        };
    }
}
