package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.config.CoherenceOption;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A cached entry is never served after its key's own expiry upstream, in either coherence mode:
 * keys with 50-200 ms to live, read through respite until their deadline and checked right at it,
 * not seconds later. Redis's own tests ("PSETEX can set sub-second expires" and its siblings) fail
 * through a proxy that caches for --ttl regardless.
 */
@ExtendWith(RedisExtension.class)
class UpstreamExpiryIT {

    /** How a test gives key {@code k} the value "v" and a time to live of {@code millis}. */
    private record Expiry(String name, List<List<String>> commands, boolean throughRespite, boolean afterCaching) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static List<Expiry> expiries(long millis) {
        String ttl = Long.toString(millis);
        return List.of(
                new Expiry("PSETEX through respite", List.of(List.of("PSETEX", "k", ttl, "v")), true, false),
                new Expiry("SET PX through respite", List.of(List.of("SET", "k", "v", "PX", ttl)), true, false),
                new Expiry("PSETEX on Redis", List.of(List.of("PSETEX", "k", ttl, "v")), false, false),
                new Expiry(
                        "PEXPIRE before caching",
                        List.of(List.of("SET", "k", "v"), List.of("PEXPIRE", "k", ttl)),
                        true,
                        false),
                new Expiry("PEXPIRE through respite after caching", List.of(List.of("PEXPIRE", "k", ttl)), true, true),
                new Expiry("PEXPIRE on Redis after caching", List.of(List.of("PEXPIRE", "k", ttl)), false, true));
    }

    static Stream<Arguments> cases() {
        return Stream.of(CoherenceOption.TRACKING, CoherenceOption.TTL)
                .flatMap(mode -> Stream.of(50L, 200L)
                        .flatMap(millis -> expiries(millis).stream()
                                // Without tracking, only writes through respite are seen before --ttl.
                                .filter(e ->
                                        mode == CoherenceOption.TRACKING || e.throughRespite() || !e.afterCaching())
                                .map(e -> Arguments.of(mode, millis, e))));
    }

    @ParameterizedTest(name = "{0}, {1} ms, {2}")
    @MethodSource("cases")
    void neverServedAfterTheKeysDeadline(CoherenceOption mode, long millis, Expiry expiry, RedisServer redis)
            throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis, b -> b.coherence(mode));
                RespTestClient direct = RespTestClient.connect(redis.address())) {
            RespTestClient client = fixture.client();
            if (expiry.afterCaching()) {
                assertEquals("+OK\r\n", direct.callString("SET", "k", "v"));
                awaitCached(fixture, client);
            }
            RespTestClient writer = expiry.throughRespite() ? client : direct;
            long sent = System.nanoTime();
            for (List<String> command : expiry.commands()) {
                assertTrue(writer.callString(command.toArray(String[]::new)).matches("[+:].*\r\n"), command.toString());
            }
            // Redis set the deadline before the acknowledgement, in whole milliseconds, and expires a
            // key once its clock is past it: the key is gone a millisecond after this at the latest.
            long acknowledged = System.nanoTime();
            long deadline = acknowledged + TimeUnit.MILLISECONDS.toNanos(millis + 1);
            long hitsBefore = fixture.stats().hits();
            int valuesServed = 0;
            int readsAfterDeadline = 0;
            while (readsAfterDeadline < 20) {
                long start = System.nanoTime();
                String reply = client.callString("GET", "k");
                long end = System.nanoTime();
                if (start - deadline >= 0) {
                    assertEquals("$-1\r\n", reply, "read " + (start - deadline) / 1000 + " µs after the deadline");
                    readsAfterDeadline++;
                } else if (reply.equals("$1\r\nv\r\n")) {
                    valuesServed++;
                } else {
                    // Redis set its deadline after `sent`: a nil can only be answered after sent + ttl
                    // (less a millisecond of Redis's time resolution).
                    long earliest = sent + TimeUnit.MILLISECONDS.toNanos(millis - 1);
                    assertTrue(end - earliest >= 0, reply + " " + (earliest - end) / 1000 + " µs too early");
                }
            }
            assertTrue(valuesServed > 0, "the value was served before its deadline");
            assertTrue(fixture.stats().hits() > hitsBefore, "from the cache");
        }
    }

    @ParameterizedTest(name = "{0}, PERSIST through respite: {1}")
    @MethodSource("persistCases")
    void persistKeepsTheValueBeyondTheOldDeadline(CoherenceOption mode, boolean throughRespite, RedisServer redis)
            throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis, b -> b.coherence(mode));
                RespTestClient direct = RespTestClient.connect(redis.address())) {
            RespTestClient client = fixture.client();
            assertEquals("+OK\r\n", direct.callString("PSETEX", "k", "150", "v"));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(150);
            assertEquals("$1\r\nv\r\n", client.callString("GET", "k"));
            assertEquals(":1\r\n", (throughRespite ? client : direct).callString("PERSIST", "k"));
            Await.until("past the old deadline", ProxyFixture.AWAIT, () -> System.nanoTime() - deadline > 0);
            assertEquals("$1\r\nv\r\n", client.callString("GET", "k"));
            assertEquals("$1\r\nv\r\n", client.callString("GET", "k"), "and cached again, without expiry");
        }
    }

    static Stream<Arguments> persistCases() {
        return Stream.of(
                Arguments.of(CoherenceOption.TRACKING, true),
                Arguments.of(CoherenceOption.TRACKING, false),
                Arguments.of(CoherenceOption.TTL, true));
    }

    /** Waits until {@code k} is a cache hit through {@code client}. */
    private static void awaitCached(ProxyFixture fixture, RespTestClient client) {
        Await.until("k is cached", ProxyFixture.AWAIT, () -> {
            long hits = fixture.stats().hits();
            return client.callString("GET", "k").equals("$1\r\nv\r\n")
                    && fixture.stats().hits() > hits;
        });
    }
}
