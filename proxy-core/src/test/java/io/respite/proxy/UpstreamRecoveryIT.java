package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.config.ProxyConfig;
import io.respite.proxy.session.ClientSession;
import io.respite.proxy.upstream.UpstreamSettings;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The upstream dies or freezes while thousands of commands are in flight and queued behind them:
 * every one of them is answered (a reply or {@code -ERR upstream unavailable (...)}), none hangs,
 * and once Redis is back respite serves again within one backoff period, never staying down
 * while Redis is up. These are the failures that once ended in a silent, permanent outage
 * (a stack overflow while failing the queue, swallowed before the reconnection was scheduled).
 */
@ExtendWith(RedisExtension.class)
class UpstreamRecoveryIT {

    /** Commands pipelined in all: about 256 forwarded per client, the rest held behind them. */
    private static final int PIPELINED = 20_000;

    /** The longest a reconnection may take once Redis answers again: one backoff step, plus the watchdog's tick. */
    private static final Duration ONE_BACKOFF = Duration.ofMillis(UpstreamSettings.MAX_BACKOFF_MILLIS + 1500);

    private static final String UNAVAILABLE = "-ERR upstream unavailable (";

    @Test
    void killedUnderADeepPipelineRecoversWithinOneBackoff(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis, UpstreamRecoveryIT::missesGoUpstream)) {
            List<RespTestClient> clients = warmClients(fixture);
            redis.freeze();
            List<Future<Tally>> tallies = new ArrayList<>();
            for (RespTestClient client : clients) {
                tallies.add(pipeline(client, PIPELINED / clients.size()));
            }
            // And one client whose pipeline is held behind its in-flight commands, almost all of it.
            tallies.add(pipeline(fixture.client(Duration.ofSeconds(30)), PIPELINED));
            Await.until(
                    PIPELINED + " commands in flight upstream",
                    ProxyFixture.AWAIT,
                    () -> fixture.proxy().sumOverClients(ClientSession::pendingReplies) >= PIPELINED);
            redis.kill();
            assertEveryCommandAnswered(tallies);
            redis.start();
            assertServesWithin(fixture, ONE_BACKOFF);
        }
    }

    @Test
    void frozenLongerThanTheTimeoutUnderADeepPipelineRecovers(RedisServer redis) throws Exception {
        // The default --timeout (5 s): the 7 s freeze that once left respite down for good.
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis, UpstreamRecoveryIT::missesGoUpstream)) {
            List<RespTestClient> clients = warmClients(fixture);
            redis.freeze();
            long thawAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(7);
            List<Future<Tally>> tallies = new ArrayList<>();
            try {
                for (RespTestClient client : clients) {
                    tallies.add(pipeline(client, PIPELINED / clients.size()));
                }
                tallies.add(pipeline(fixture.client(Duration.ofSeconds(30)), PIPELINED));
                Await.until("the freeze lasts 7 s", Duration.ofSeconds(10), () -> System.nanoTime() >= thawAt);
            } finally {
                redis.thaw();
            }
            assertEveryCommandAnswered(tallies);
            assertServesWithin(fixture, ONE_BACKOFF);
        }
    }

    @Test
    void killedWhileClientsRefuseToReadLargeRepliesRecovers(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis, UpstreamRecoveryIT::missesGoUpstream)) {
            RespTestClient setup = fixture.client();
            byte[] big = new byte[2 * 1024 * 1024];
            Arrays.fill(big, (byte) 'x');
            assertEquals(
                    "+OK\r\n",
                    new String(
                            setup.call(
                                    "SET".getBytes(StandardCharsets.US_ASCII),
                                    "big".getBytes(StandardCharsets.US_ASCII),
                                    big),
                            StandardCharsets.US_ASCII));
            // GETRANGE is relayed, never cached: every one costs the upstream a 2 MB reply.
            byte[] request = RespTestClient.encodeCommand("GETRANGE", "big", "0", "-1");
            List<Socket> sleepers = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket socket = new Socket();
                    sleepers.add(socket);
                    socket.setReceiveBufferSize(4096);
                    socket.connect(fixture.address());
                    OutputStream out = socket.getOutputStream();
                    for (int n = 0; n < 50; n++) {
                        out.write(request);
                    }
                    out.flush();
                }
                Await.until(
                        "large replies wait for the clients that do not read",
                        ProxyFixture.AWAIT,
                        () -> fixture.proxy().sumOverClients(ClientSession::outputBytes) > 4L * big.length);
                redis.kill();
                redis.start();
                assertServesWithin(fixture, ONE_BACKOFF);
            } finally {
                for (Socket socket : sleepers) {
                    socket.close();
                }
            }
        }
    }

    /** Nils are not cached, so that the pipelines' GETs of a missing key all go upstream. */
    private static ProxyConfig.Builder missesGoUpstream(ProxyConfig.Builder options) {
        return options.cacheNil(false);
    }

    /**
     * 80 clients that have each had a few replies, so that respite forwards a full window of their
     * commands (a client's first pipeline is forwarded 16 at a time until its reply sizes are known).
     */
    private static List<RespTestClient> warmClients(ProxyFixture fixture) throws IOException {
        List<RespTestClient> clients = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            RespTestClient client = fixture.client(Duration.ofSeconds(30));
            for (int n = 0; n < 16; n++) {
                assertEquals("$-1\r\n", client.callString("GET", "pipelined"));
            }
            clients.add(client);
        }
        return clients;
    }

    private static void assertEveryCommandAnswered(List<Future<Tally>> tallies) throws Exception {
        int unavailable = 0;
        for (Future<Tally> tally : tallies) {
            unavailable += tally.get(30, TimeUnit.SECONDS).unavailable();
        }
        assertTrue(unavailable > 0, "the outage failed commands in flight");
    }

    /** A new client's writes and reads succeed within {@code limit} of now. */
    private static void assertServesWithin(ProxyFixture fixture, Duration limit) throws IOException {
        long start = System.nanoTime();
        try (RespTestClient client = RespTestClient.connect(fixture.address(), Duration.ofSeconds(10))) {
            Await.until(
                    "respite serves again",
                    limit,
                    () -> client.callString("SET", "after", "recovery").equals("+OK\r\n"));
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(
                    "$8\r\nrecovery\r\n", client.callString("GET", "after"), "served " + took + " ms after restart");
            assertEquals(":1\r\n", client.callString("INCR", "counter"));
        }
    }

    /** What one pipelining client got back. */
    record Tally(int replies, int unavailable) {}

    /**
     * Writes {@code count} GETs at once from one thread and reads every reply from another; the
     * future completes when all are read, each a nil or {@code -ERR upstream unavailable}.
     */
    private static Future<Tally> pipeline(RespTestClient client, int count) {
        byte[] request = RespTestClient.encodeCommand("GET", "pipelined");
        ExecutorService threads = Executors.newFixedThreadPool(2);
        threads.submit(() -> {
            byte[] all = new byte[request.length * count];
            for (int i = 0; i < count; i++) {
                System.arraycopy(request, 0, all, i * request.length, request.length);
            }
            client.send(all);
            return null;
        });
        Future<Tally> tally = threads.submit(() -> {
            int unavailable = 0;
            for (int i = 0; i < count; i++) {
                String reply = new String(client.readReply(), StandardCharsets.UTF_8);
                if (reply.startsWith(UNAVAILABLE)) {
                    unavailable++;
                } else {
                    assertEquals("$-1\r\n", reply, "reply " + i);
                }
            }
            return new Tally(count, unavailable);
        });
        threads.shutdown();
        return tally;
    }
}
