package io.respite.proxy.warm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.session.CommandHandler;
import io.respite.proxy.session.ReplySink;
import io.respite.proxy.warm.WarmFile.WarmKey;
import io.respite.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The prefetch against a router stand-in on a real event loop: the in-flight bound, the pace, a
 * SELECT when the database changes, waiting until the router can cache, and what {@code /ready}
 * is told.
 */
class WarmupTest {

    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final EventLoop loop = new DefaultEventLoop();

    /** The commands the router received, as words, in order. */
    private final List<String> received = Collections.synchronizedList(new ArrayList<>());
    /** The GETs waiting for their reply, when replies are held. */
    private final List<ReplyCallback> held = Collections.synchronizedList(new ArrayList<>());

    private boolean holdReplies;

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A router that answers SELECT and AUTH at once, and GET at once (a hit) or later (a miss). */
    private final Function<ReplySink, CommandHandler> router = sink -> new CommandHandler() {
        @Override
        public void handle(RespCommand command) {
            List<String> words = new ArrayList<>();
            for (int i = 0; i < command.argCount(); i++) {
                words.add(command.argString(i));
            }
            received.add(String.join(" ", words));
            if (!words.get(0).equals("GET")) {
                sink.reply("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
            } else if (holdReplies) {
                held.add(sink.replyLater());
            } else {
                sink.reply("$1\r\nv\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }

        @Override
        public void writabilityChanged(boolean writable) {}

        @Override
        public void closed() {
            received.add("closed");
        }
    };

    private static List<WarmKey> keys(int n, int database) {
        return IntStream.range(0, n)
                .mapToObj(i -> new WarmKey(database, ("k" + i).getBytes(StandardCharsets.US_ASCII)))
                .toList();
    }

    private Warmup warmup(List<WarmKey> keys, int rate, int inFlight, long deadlineNanos, BooleanSupplier canCache) {
        return new Warmup(
                keys, "test.warm", router, loop, 0, null, rate, inFlight, deadlineNanos, canCache, () -> false);
    }

    /** Runs a no-op on the loop and waits for it: whatever the loop was doing before has finished. */
    private void drainLoop() throws Exception {
        loop.submit(() -> {}).get(5, TimeUnit.SECONDS);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + 10 * SECOND_NANOS;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting until " + what);
            LockSupport.parkNanos(1_000_000);
        }
    }

    private long gets() {
        synchronized (received) {
            return received.stream().filter(c -> c.startsWith("GET")).count();
        }
    }

    @Test
    void neverMoreThanTheBoundInFlightAndOneMoreAsEachIsAnswered() throws Exception {
        holdReplies = true;
        Warmup warmup = warmup(keys(10, 0), 1_000_000, 3, System.nanoTime() + 60 * SECOND_NANOS, () -> true);
        warmup.start();
        await("three GETs sent", () -> gets() == 3);
        drainLoop();
        assertEquals(3, gets(), "no more while three are unanswered");
        assertNotNull(warmup.notReady());
        long deadline = System.nanoTime() + 10 * SECOND_NANOS;
        while (!warmup.done()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out answering the GETs");
            ReplyCallback first;
            synchronized (held) {
                first = held.isEmpty() ? null : held.remove(0);
            }
            if (first != null) {
                loop.submit(() -> first.onReply(Unpooled.copiedBuffer("$-1\r\n", StandardCharsets.US_ASCII)))
                        .get(5, TimeUnit.SECONDS);
                assertTrue(held.size() <= 3, "in flight: " + held.size());
            }
        }
        assertEquals(10, gets());
        assertEquals("closed", received.get(received.size() - 1), "the prefetch's client is closed at the end");
        assertNull(warmup.notReady());
    }

    @Test
    void keysGoAtTheRateWithoutABurstAfterAWait() throws Exception {
        AtomicBoolean canCache = new AtomicBoolean();
        int rate = 200;
        Warmup warmup = warmup(keys(40, 0), rate, 64, System.nanoTime() + 60 * SECOND_NANOS, canCache::get);
        warmup.start();
        drainLoop();
        assertEquals(0, gets(), "nothing before the router can cache");
        canCache.set(true);
        long start = System.nanoTime();
        await("30 keys sent", () -> gets() >= 30);
        long elapsedNanos = System.nanoTime() - start;
        // 30 keys at 200 a second take 29 intervals of 5 ms, less one burst of 10 ms' worth (2 keys).
        long atLeastNanos = (30 - 1 - 2) * SECOND_NANOS / rate;
        assertTrue(elapsedNanos >= atLeastNanos, "30 keys in " + elapsedNanos / 1_000_000 + " ms");
        await("done", warmup::done);
        assertEquals(40, gets());
    }

    @Test
    void aKeyInAnotherDatabaseIsReadAfterASelect() {
        List<WarmKey> keys = new ArrayList<>(keys(2, 0));
        keys.addAll(keys(1, 3));
        Warmup warmup = warmup(keys, 1_000_000, 64, System.nanoTime() + 60 * SECOND_NANOS, () -> true);
        warmup.start();
        await("done", warmup::done);
        assertEquals(List.of("GET k0", "GET k1", "SELECT 3", "GET k0", "closed"), received);
    }

    @Test
    void readyIsNoLongerHeldBackAfterTheDeadline() throws Exception {
        Warmup warmup = warmup(keys(5, 0), 1_000_000, 64, System.nanoTime() - 1, () -> false);
        warmup.start();
        drainLoop();
        assertNull(warmup.notReady(), "past the deadline");
        assertEquals(0, gets(), "though nothing was prefetched yet");
        Warmup waiting = warmup(keys(5, 0), 1_000_000, 64, System.nanoTime() + 60 * SECOND_NANOS, () -> false);
        waiting.start();
        assertEquals("warming the cache from test.warm: 0 of 5 keys", waiting.notReady());
    }
}
