package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.coherence.CoherenceMode;
import io.respite.proxy.config.CoherenceOption;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Three respite replicas in front of one Redis, in tracking mode: a key each of them caches is
 * changed through one of them, directly on Redis, by expiry, deletion, renaming, flushing, a script
 * and a function, and every replica serves the new state once Redis's invalidation has arrived.
 * In RESP2 and RESP3 sessions, in database 0 and 5. Also: the invalidation stream killed and Redis
 * restarted (cache dropped, no stale read, caching resumes), and cached nils.
 */
@ExtendWith(RedisExtension.class)
class CoherenceIT {

    private static final Duration CONVERGE = Duration.ofSeconds(5);

    /** A change made to key {@code k} (value "old") that leaves it with {@code expected}, as RESP2 text. */
    private record Change(String name, Mutation mutation, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    private interface Mutation {
        /** Changes key {@code k} in database {@code db}; {@code viaA} writes through replica A. */
        void apply(RedisServer redis, RespTestClient viaA, int db) throws IOException;
    }

    private static final String NIL2 = "$-1\r\n";

    private static List<Change> changes() {
        return List.of(
                new Change("SET through replica A", (r, a, db) -> a.callString("SET", "k", "new"), "$3\r\nnew\r\n"),
                new Change("SET on Redis", (r, a, db) -> direct(r, db, "SET", "k", "new"), "$3\r\nnew\r\n"),
                new Change("APPEND on Redis", (r, a, db) -> direct(r, db, "APPEND", "k", "!"), "$4\r\nold!\r\n"),
                new Change("PEXPIREAT in the past", (r, a, db) -> direct(r, db, "PEXPIREAT", "k", "1"), NIL2),
                new Change("EXPIRE to a negative time", (r, a, db) -> direct(r, db, "EXPIRE", "k", "-1"), NIL2),
                new Change("DEL", (r, a, db) -> direct(r, db, "DEL", "k"), NIL2),
                new Change("RENAME away", (r, a, db) -> direct(r, db, "RENAME", "k", "k2"), NIL2),
                new Change("FLUSHDB", (r, a, db) -> direct(r, db, "FLUSHDB"), NIL2),
                new Change("FLUSHALL", (r, a, db) -> direct(r, db, "FLUSHALL"), NIL2),
                new Change(
                        "a Lua script",
                        (r, a, db) ->
                                direct(r, db, "EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "k", "lua"),
                        "$3\r\nlua\r\n"),
                new Change(
                        "a function",
                        (r, a, db) -> {
                            direct(
                                    r,
                                    db,
                                    "FUNCTION",
                                    "LOAD",
                                    "REPLACE",
                                    "#!lua name=respitetest\nredis.register_function('setit', "
                                            + "function(keys, args) return redis.call('SET', keys[1], args[1]) end)");
                            direct(r, db, "FCALL", "setit", "1", "k", "fn");
                        },
                        "$2\r\nfn\r\n"));
    }

    static Stream<Arguments> sessions() {
        return Stream.of(Arguments.of(2, 0), Arguments.of(3, 0), Arguments.of(2, 5), Arguments.of(3, 5));
    }

    /** Runs {@code args} on Redis directly, in database {@code db}; fails on an error reply. */
    private static String direct(RedisServer redis, int db, String... args) throws IOException {
        try (RespTestClient client = RespTestClient.connect(redis.address(), Duration.ofSeconds(10))) {
            assertEquals("+OK\r\n", client.callString("SELECT", Integer.toString(db)));
            String reply = client.callString(args);
            assertTrue(!reply.startsWith("-"), String.join(" ", args) + ": " + reply);
            return reply;
        }
    }

    /** A client of {@code fixture} in protocol {@code resp} and database {@code db}. */
    private static RespTestClient session(ProxyFixture fixture, int resp, int db) throws IOException {
        RespTestClient client = fixture.client();
        if (resp == 3) {
            assertTrue(client.callString("HELLO", "3").startsWith("%"));
        }
        assertEquals("+OK\r\n", client.callString("SELECT", Integer.toString(db)));
        return client;
    }

    /** {@code reply} in RESP2 terms: RESP3's null is RESP2's nil bulk string. */
    private static String asResp2(String reply) {
        return reply.equals("_\r\n") ? NIL2 : reply;
    }

    @ParameterizedTest(name = "RESP{0}, database {1}")
    @MethodSource("sessions")
    void everyReplicaServesTheNewStateOnceTheInvalidationArrived(int resp, int db, RedisServer redis) throws Exception {
        List<ProxyFixture> replicas = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                replicas.add(ProxyFixture.startCaching(redis));
            }
            List<RespTestClient> clients = new ArrayList<>();
            for (ProxyFixture replica : replicas) {
                clients.add(session(replica, resp, db));
            }
            for (Change change : changes()) {
                direct(redis, db, "SET", "k", "old");
                for (int i = 0; i < replicas.size(); i++) {
                    RespTestClient client = clients.get(i);
                    ProxyFixture replica = replicas.get(i);
                    Await.until("replica " + i + " caches k before " + change, CONVERGE, () -> {
                        long hits = replica.stats().hits();
                        return client.callString("GET", "k").equals("$3\r\nold\r\n")
                                && client.callString("GET", "k").equals("$3\r\nold\r\n")
                                && replica.stats().hits() > hits;
                    });
                }
                change.mutation().apply(redis, clients.get(0), db);
                for (int i = 0; i < replicas.size(); i++) {
                    RespTestClient client = clients.get(i);
                    Await.until(
                            "replica " + i + " serves " + change.expected().strip() + " after " + change,
                            CONVERGE,
                            () -> asResp2(client.callString("GET", "k")).equals(change.expected()));
                    assertEquals(
                            change.expected(),
                            asResp2(client.callString("GET", "k")),
                            "and keeps serving it after " + change);
                }
                direct(redis, db, "DEL", "k", "k2");
            }
            for (ProxyFixture replica : replicas) {
                assertEquals(CoherenceMode.TRACKING, replica.proxy().coherence().mode());
                assertTrue(replica.proxy().coherence().stats().messages() > 0, "invalidations arrived");
            }
        } finally {
            replicas.forEach(ProxyFixture::close);
        }
    }

    @Test
    void aCachedNilEndsWhenTheKeyIsCreatedOnRedis(RedisServer redis) throws Exception {
        try (ProxyFixture replica = ProxyFixture.startCaching(redis)) {
            RespTestClient client = replica.client();
            assertEquals(NIL2, client.callString("GET", "absent"));
            long hits = replica.stats().hits();
            assertEquals(NIL2, client.callString("GET", "absent"));
            assertEquals(hits + 1, replica.stats().hits(), "the nil was cached");
            redis.callString("SET", "absent", "here");
            awaitServed(client, "absent", "here");
        }
    }

    @Test
    void ttlModeDoesNotCacheNilsByDefault(RedisServer redis) throws Exception {
        try (ProxyFixture replica = ProxyFixture.startCaching(redis, b -> b.coherence(CoherenceOption.TTL))) {
            RespTestClient client = replica.client();
            assertEquals(NIL2, client.callString("GET", "absent"));
            long hits = replica.stats().hits();
            assertEquals(NIL2, client.callString("GET", "absent"));
            assertEquals(hits, replica.stats().hits());
            assertEquals(CoherenceMode.TTL, replica.proxy().coherence().mode());
        }
    }

    private static final Pattern REDIRECT = Pattern.compile("redir=(\\d+)");

    /** The client id the replicas' shared connections redirect their invalidations to. */
    private static List<String> streamIds(RedisServer redis) throws IOException {
        List<String> ids = new ArrayList<>();
        Matcher m = REDIRECT.matcher(redis.callString("CLIENT", "LIST"));
        while (m.find()) {
            // redir=0: tracking without a redirection (the stream itself, in BCAST mode).
            if (!m.group(1).equals("0") && !ids.contains(m.group(1))) {
                ids.add(m.group(1));
            }
        }
        return ids;
    }

    @Test
    void aKilledStreamDropsTheCacheAndTrackingResumes(RedisServer redis) throws Exception {
        try (ProxyFixture replica = ProxyFixture.startCaching(redis)) {
            RespTestClient client = replica.client();
            redis.callString("SET", "k", "old");
            assertEquals("$3\r\nold\r\n", client.callString("GET", "k"));
            Await.until("k is cached", CONVERGE, () -> replica.stats().entries() > 0);
            List<String> ids = streamIds(redis);
            assertEquals(1, ids.size(), "one invalidation stream: " + ids);
            long starts = replica.proxy().coherence().stats().trackingStarts();
            assertEquals(":1\r\n", redis.callString("CLIENT", "KILL", "ID", ids.get(0)));
            // Written while the stream is down: its invalidation is lost, and must not matter.
            redis.callString("SET", "k", "new");
            Await.until(
                    "the loss is noticed and the cache emptied",
                    CONVERGE,
                    () -> replica.proxy().coherence().stats().trackingStarts() > starts
                            || !replica.proxy().coherence().caching());
            assertEquals("$3\r\nnew\r\n", client.callString("GET", "k"), "no stale read");
            awaitCachingAgain(replica, client);
            redis.callString("SET", "k", "newer");
            awaitServed(client, "k", "newer");
        }
    }

    @Test
    void aSilentStreamIsNoticedByItsPing(RedisServer redis) throws Exception {
        try (ProxyFixture replica = ProxyFixture.startCaching(redis, b -> b.timeout(Duration.ofMillis(500)))) {
            RespTestClient client = replica.client();
            redis.callString("SET", "k", "old");
            assertEquals("$3\r\nold\r\n", client.callString("GET", "k"));
            redis.freeze();
            try {
                // Nobody sends a command: only the stream's own PING can find out.
                Await.until(
                        "caching stops",
                        CONVERGE,
                        () -> !replica.proxy().coherence().caching());
                assertEquals(0, replica.stats().entries(), "the cache was emptied");
            } finally {
                redis.thaw();
            }
            awaitCachingAgain(replica, client);
        }
    }

    @Test
    void aKilledSharedConnectionEmptiesTheCacheAndCachingGoesOn(RedisServer redis) throws Exception {
        try (ProxyFixture replica = ProxyFixture.startCaching(redis)) {
            RespTestClient client = replica.client();
            redis.callString("SET", "k", "old");
            assertEquals("$3\r\nold\r\n", client.callString("GET", "k"));
            String stream = streamIds(redis).get(0);
            // Every connection that redirects its invalidations to the stream carries reads.
            Matcher tracked = Pattern.compile("id=(\\d+) [^\n]*redir=" + stream + "\\b")
                    .matcher(redis.callString("CLIENT", "LIST"));
            long killed = 0;
            while (tracked.find()) {
                killed += Long.parseLong(redis.callString("CLIENT", "KILL", "ID", tracked.group(1))
                        .substring(1)
                        .strip());
            }
            assertTrue(killed > 0, "killed the shared connections");
            // Written while their reads are untracked: must not matter.
            redis.callString("SET", "k", "new");
            awaitServed(client, "k", "new");
            awaitCachingAgain(replica, client);
            redis.callString("SET", "k", "newer");
            awaitServed(client, "k", "newer");
        }
    }

    @Test
    void aTrackingTableTooSmallCostsHitsNotCoherence(RedisServer redis) throws Exception {
        assertEquals("+OK\r\n", redis.callString("CONFIG", "SET", "tracking-table-max-keys", "10"));
        try (ProxyFixture replica = ProxyFixture.startCaching(redis)) {
            RespTestClient client = replica.client();
            for (int i = 0; i < 100; i++) {
                redis.callString("SET", "key:" + i, "old");
                assertEquals("$3\r\nold\r\n", client.callString("GET", "key:" + i));
            }
            for (int i = 0; i < 100; i++) {
                redis.callString("SET", "key:" + i, "new");
            }
            for (int i = 0; i < 100; i++) {
                awaitServed(client, "key:" + i, "new");
            }
            assertTrue(replica.proxy().coherence().stats().keys() >= 90, "Redis invalidated keys it stopped tracking");
        }
    }

    @Test
    void broadcastModeFollowsWritesUnderItsPrefixesAndCachesNothingElse(RedisServer redis) throws Exception {
        try (ProxyFixture replica = ProxyFixture.start(redis, b -> b.trackingPrefixes(List.of("user:")))) {
            RespTestClient client = replica.client();
            redis.callString("SET", "user:1", "old");
            redis.callString("SET", "other:1", "old");
            Await.until("a key under the prefix is cached", CONVERGE, () -> {
                long before = replica.stats().hits();
                return client.callString("GET", "user:1").equals("$3\r\nold\r\n")
                        && replica.stats().hits() > before;
            });
            long hits = replica.stats().hits();
            assertEquals("$3\r\nold\r\n", client.callString("GET", "other:1"));
            assertEquals("$3\r\nold\r\n", client.callString("GET", "other:1"));
            assertEquals(hits, replica.stats().hits(), "a key under no prefix is not cached: Redis says nothing of it");
            redis.callString("SET", "user:1", "new");
            redis.callString("SET", "other:1", "new");
            awaitServed(client, "user:1", "new");
            assertEquals("$3\r\nnew\r\n", client.callString("GET", "other:1"));
            assertTrue(streamIds(redis).isEmpty(), "in BCAST mode no connection redirects: the stream tracks");
        }
    }

    @Test
    void aRedisRestartDropsTheCacheAndCachingResumes(RedisServer redis) throws Exception {
        try (ProxyFixture replica = ProxyFixture.startCaching(redis)) {
            RespTestClient client = replica.client();
            redis.callString("SET", "k", "old");
            assertEquals("$3\r\nold\r\n", client.callString("GET", "k"));
            assertEquals("$3\r\nold\r\n", client.callString("GET", "k"));
            redis.kill();
            redis.start();
            redis.callString("SET", "k", "after");
            awaitServed(client, "k", "after");
            awaitCachingAgain(replica, client);
            redis.callString("SET", "k", "later");
            awaitServed(client, "k", "later");
        }
    }

    /** Waits until {@code client} is served {@code value} for {@code key}: the change's invalidation arrived. */
    private static void awaitServed(RespTestClient client, String key, String value) {
        String expected = "$" + value.length() + "\r\n" + value + "\r\n";
        Await.until(
                key + " = " + value + " is served",
                CONVERGE,
                () -> client.callString("GET", key).equals(expected));
    }

    /** Waits until a key read twice through {@code client} is a hit again. */
    private static void awaitCachingAgain(ProxyFixture replica, RespTestClient client) {
        Await.until("caching resumes", CONVERGE, () -> {
            client.callString("GET", "probe");
            long hits = replica.stats().hits();
            client.callString("GET", "probe");
            return replica.stats().hits() > hits && replica.proxy().coherence().caching();
        });
    }

    @Test
    void concurrentMissesCostOneUpstreamRead(RedisServer redis) throws Exception {
        try (ProxyFixture replica = ProxyFixture.startCaching(redis)) {
            redis.callString("SET", "hot", "v");
            List<RespTestClient> clients = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                clients.add(replica.client());
            }
            assertEquals("+OK\r\n", redis.callString("CONFIG", "RESETSTAT"));
            long coalesced = replica.stats().coalesced();
            redis.freeze();
            try {
                for (RespTestClient client : clients) {
                    client.send(RespTestClient.encodeCommand("GET", "hot"));
                }
                Await.until(
                        "99 misses joined the first",
                        CONVERGE,
                        () -> replica.stats().coalesced() - coalesced == 99);
            } finally {
                redis.thaw();
            }
            for (RespTestClient client : clients) {
                assertEquals("$1\r\nv\r\n", new String(client.readReply(), StandardCharsets.UTF_8));
            }
            String stats = redis.callString("INFO", "commandstats");
            Matcher calls = Pattern.compile("cmdstat_get:calls=(\\d+)").matcher(stats);
            assertTrue(calls.find(), stats);
            assertEquals("1", calls.group(1), "one upstream GET for 100 concurrent misses");
        }
    }
}
