package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.respite.proxy.config.CoherenceOption;
import io.respite.proxy.config.UpstreamUri;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisFleet;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The upstream goes away under traffic: commands fail promptly with
 * {@code -ERR upstream unavailable (...)} instead of hanging, cached keys are still served, and
 * once Redis is back respite serves again without a restart.
 */
@ExtendWith(RedisExtension.class)
class UpstreamFailureIT {

    /** The --timeout the proxy runs with here. */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    /** How long a reply may take while the upstream is down: well under a hang, above --timeout. */
    private static final Duration PROMPT = Duration.ofSeconds(3);

    private static final String UNAVAILABLE = "-ERR upstream unavailable (";

    @Test
    void killedUpstreamFailsPromptlyServesTheCacheAndRecovers(RedisServer redis) throws Exception {
        // In ttl coherence: in tracking mode the loss of Redis is the loss of its invalidations,
        // and the cache is dropped (CoherenceIT).
        try (ProxyFixture fixture =
                ProxyFixture.startCaching(redis, b -> b.timeout(TIMEOUT).coherence(CoherenceOption.TTL))) {
            RespTestClient client = fixture.client(PROMPT);
            assertEquals("+OK\r\n", client.callString("SET", "cached", "still-here"));
            assertEquals("$10\r\nstill-here\r\n", client.callString("GET", "cached"));

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong unavailableReplies = new AtomicLong();
            AtomicLong servedReplies = new AtomicLong();
            List<Thread> traffic = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                Thread thread = new Thread(
                        () -> {
                            // A read timeout of PROMPT: a reply that takes longer fails this thread.
                            try (RespTestClient c = RespTestClient.connect(fixture.address(), PROMPT)) {
                                for (int i = 0; running.get(); i++) {
                                    String set = c.callString("SET", "traffic:" + id, "v" + i);
                                    String get = c.callString("GET", "traffic:" + id);
                                    if (set.startsWith(UNAVAILABLE) || get.startsWith(UNAVAILABLE)) {
                                        unavailableReplies.incrementAndGet();
                                    } else {
                                        assertEquals("+OK\r\n", set);
                                        assertEquals("$" + ("v" + i).length() + "\r\nv" + i + "\r\n", get);
                                        servedReplies.addAndGet(2);
                                    }
                                }
                            } catch (Throwable e) {
                                failure.compareAndSet(null, e);
                            }
                        },
                        "traffic-" + t);
                traffic.add(thread);
                thread.start();
            }
            try {
                Await.until(
                        "traffic flows through respite",
                        ProxyFixture.AWAIT,
                        () -> servedReplies.get() > 100 || failure.get() != null);
                assertEquals(null, failure.get(), "no traffic thread failed before the kill");
                redis.kill();

                long start = System.nanoTime();
                String reply = client.callString("GET", "never-cached");
                long elapsed = System.nanoTime() - start;
                assertTrue(reply.startsWith(UNAVAILABLE) && reply.endsWith(")\r\n"), reply);
                assertTrue(elapsed < PROMPT.toNanos(), "reply after " + TimeUnit.NANOSECONDS.toMillis(elapsed) + " ms");
                assertTrue(client.callString("SET", "k", "v").startsWith(UNAVAILABLE));
                assertEquals("$10\r\nstill-here\r\n", client.callString("GET", "cached"), "a hit needs no upstream");
                Await.until(
                        "the traffic threads see the outage", ProxyFixture.AWAIT, () -> unavailableReplies.get() > 0);
                assertEquals(null, failure.get(), "no traffic thread hung or got a wrong reply");

                redis.start();
                Await.until(
                        "respite serves again",
                        Duration.ofSeconds(10),
                        () -> client.callString("SET", "k", "back").equals("+OK\r\n"));
                assertEquals("$4\r\nback\r\n", client.callString("GET", "k"));
                // The restarted Redis kept nothing (no persistence): neither may respite's cache.
                Await.until(
                        "the stale cached value is dropped",
                        ProxyFixture.AWAIT,
                        () -> client.callString("GET", "cached").equals("$-1\r\n"));
            } finally {
                running.set(false);
                for (Thread thread : traffic) {
                    thread.join(TimeUnit.SECONDS.toMillis(10));
                }
            }
            if (failure.get() != null) {
                throw new AssertionError("a traffic thread failed", failure.get());
            }
            fixture.awaitCaching();
        }
    }

    @Test
    void aStoppedUpstreamIsRetriedUntilItReturns(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis, b -> b.timeout(TIMEOUT))) {
            RespTestClient client = fixture.client(PROMPT);
            redis.stop();
            for (int i = 0; i < 5; i++) {
                // Several attempts, across the reconnection backoff: each fails promptly.
                assertTrue(client.callString("INCR", "n").startsWith(UNAVAILABLE));
            }
            redis.start();
            Await.until(
                    "respite serves again",
                    Duration.ofSeconds(10),
                    () -> client.callString("INCR", "n").equals(":1\r\n"));
            assertEquals(":2\r\n", client.callString("INCR", "n"));
        }
    }

    /**
     * A command that takes longer than --timeout fails then, with the reason, and the upstream
     * connection is rebuilt.
     */
    @Test
    void aSlowUpstreamCommandFailsAtTheTimeout(RedisFleet fleet) throws IOException {
        RedisServer redis = fleet.start("--enable-debug-command", "yes");
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis, b -> b.timeout(Duration.ofSeconds(1)))) {
            RespTestClient client = fixture.client(Duration.ofSeconds(5));
            long start = System.nanoTime();
            String reply = client.callString("DEBUG", "SLEEP", "3");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals("-ERR upstream unavailable (timeout after 1000 ms)\r\n", reply);
            assertTrue(ms < 2000, "failed after " + ms + " ms");
            Await.until(
                    "respite serves again",
                    Duration.ofSeconds(10),
                    () -> client.callString("SET", "k", "v").equals("+OK\r\n"));
        }
    }

    /**
     * A wrong upstream password: attempts are spaced by the backoff (not every 50 ms forever, as
     * once: 38 AUTH attempts and 77 log lines a second), the log says so once, and a client is told
     * the cause in words.
     */
    @Test
    void aWrongUpstreamPasswordIsRetriedWithBackoffAndNamedToClients(RedisServer redis) throws Exception {
        assertEquals("+OK\r\n", redis.callString("CONFIG", "SET", "requirepass", "up-pass"));
        List<ILoggingEvent> lines = new CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> capture = capture(lines);
        Logger upstreamLog = (Logger) LoggerFactory.getLogger("io.respite.proxy.upstream");
        upstreamLog.addAppender(capture);
        long connectionsBefore = connectionsReceived(redis);
        long start = System.nanoTime();
        try (ProxyFixture fixture = ProxyFixture.start(ProxyFixture.config(
                redis,
                b -> b.upstream(UpstreamUri.parse("redis://:wrong@127.0.0.1:" + redis.port()))
                        .timeout(TIMEOUT)))) {
            RespTestClient client = fixture.client(PROMPT);
            long window = TimeUnit.SECONDS.toNanos(3);
            Await.until("three seconds of retrying", Duration.ofSeconds(5), () -> System.nanoTime() - start >= window);
            long attempts = connectionsReceived(redis) - connectionsBefore - 1;
            // Two loops and the invalidation stream, each retrying after 25-50, 50-100, 100-200 ... ms:
            // at most 8 each in 3 s.
            assertTrue(attempts <= 24, attempts + " connection attempts in 3 s");
            assertTrue(attempts >= 4, attempts + " connection attempts in 3 s: still retrying");
            assertEquals(
                    "-ERR upstream unavailable (the upstream refused respite's credentials: WRONGPASS invalid "
                            + "username-password pair or user is disabled.)\r\n",
                    client.callString("SET", "k", "v"),
                    "respite has no --requirepass: a NOAUTH would send this client after a password it does not need");
            List<ILoggingEvent> warnings = lines.stream()
                    .filter(r -> r.getLevel().isGreaterOrEqual(Level.INFO))
                    .toList();
            assertEquals(
                    3,
                    warnings.size(),
                    "one line per connection (two lanes and the invalidation stream), not per attempt: "
                            + warnings.stream()
                                    .map(ILoggingEvent::getFormattedMessage)
                                    .toList());
        } finally {
            upstreamLog.detachAppender(capture);
        }
    }

    /**
     * Redis at maxclients greets a new connection with an error: the handshake fails on it, no
     * client's command does.
     */
    @Test
    void anUpstreamAtMaxClientsIsUnavailableNotAReply(RedisServer redis) throws Exception {
        RespTestClient holder = RespTestClient.connect(redis.address());
        try {
            assertEquals("+OK\r\n", holder.callString("CONFIG", "SET", "maxclients", "1"));
            try (ProxyFixture fixture = ProxyFixture.start(ProxyFixture.config(redis, b -> b.timeout(TIMEOUT)))) {
                RespTestClient client = fixture.client(PROMPT);
                Await.until(
                        "the greeting error is the cause",
                        ProxyFixture.AWAIT,
                        () -> client.callString("SET", "k", "v")
                                .equals(
                                        "-ERR upstream unavailable (the upstream refused the connection: max number of clients "
                                                + "reached)\r\n"));
                assertEquals("+OK\r\n", holder.callString("CONFIG", "SET", "maxclients", "100"));
                holder.close();
                Await.until(
                        "respite connects once Redis has room",
                        Duration.ofSeconds(5),
                        () -> client.callString("SET", "k", "v").equals("+OK\r\n"));
            }
        } finally {
            holder.close();
        }
    }

    /** Redis's count of accepted connections, read on a connection authenticated with {@code up-pass}. */
    private static long connectionsReceived(RedisServer redis) throws IOException {
        String stats;
        try (RespTestClient client = RespTestClient.connect(redis.address())) {
            assertEquals("+OK\r\n", client.callString("AUTH", "up-pass"));
            stats = client.callString("INFO", "stats");
        }
        for (String line : stats.split("\r\n")) {
            if (line.startsWith("total_connections_received:")) {
                return Long.parseLong(line.substring("total_connections_received:".length()));
            }
        }
        throw new AssertionError("no total_connections_received in INFO stats");
    }

    private static AppenderBase<ILoggingEvent> capture(List<ILoggingEvent> events) {
        AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                events.add(event);
            }
        };
        appender.start();
        return appender;
    }
}
