package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cache coherence through respite, one write command at a time: the keys a write touches are read
 * through respite first (so their values are cached), the write goes through respite, and then
 * each key read through respite must equal the same key read on Redis directly. Every write
 * family is here: strings, keys, databases, RESTORE, SORT ... STORE, BITOP, set stores that
 * replace a string (whose GET must then be Redis's exact WRONGTYPE error).
 */
@ExtendWith(RedisExtension.class)
class WriteThenReadIT {

    /**
     * One write and what to check after it.
     *
     * @param setup commands run through respite first, in database 0 unless they SELECT
     * @param write the write, run through respite in database {@code db}
     * @param db the database the write runs in
     * @param checked keys to cache before the write and compare after it, as {@code db:key}
     */
    record Case(List<String[]> setup, String[] write, int db, List<String> checked) {}

    static Stream<Arguments> writes() {
        return Stream.of(
                strings("SET", List.of("k"), "SET", "k", "new"),
                strings("SET ... GET", List.of("k"), "SET", "k", "new", "GET"),
                strings("SETEX", List.of("k"), "SETEX", "k", "100", "new"),
                strings("PSETEX", List.of("k"), "PSETEX", "k", "100000", "new"),
                strings("SETNX on an existing key", List.of("k"), "SETNX", "k", "new"),
                strings("SETNX on a missing key", List.of("missing"), "SETNX", "missing", "new"),
                strings("APPEND", List.of("k"), "APPEND", "k", "-more"),
                strings("INCR", List.of("n"), "INCR", "n"),
                strings("INCRBY", List.of("n"), "INCRBY", "n", "5"),
                strings("INCRBYFLOAT", List.of("n"), "INCRBYFLOAT", "n", "0.25"),
                strings("DECR", List.of("n"), "DECR", "n"),
                strings("DECRBY", List.of("n"), "DECRBY", "n", "7"),
                strings("GETSET", List.of("k"), "GETSET", "k", "new"),
                strings("GETDEL", List.of("k"), "GETDEL", "k"),
                strings("GETEX PERSIST", List.of("k"), "GETEX", "k", "PERSIST"),
                strings("MSET", List.of("k", "n", "missing"), "MSET", "k", "a", "n", "b", "missing", "c"),
                strings("MSETNX, refused", List.of("k", "missing"), "MSETNX", "missing", "a", "k", "b"),
                strings("MSETNX, applied", List.of("missing", "other"), "MSETNX", "missing", "a", "other", "b"),
                strings("SETRANGE", List.of("k"), "SETRANGE", "k", "1", "XY"),
                strings("SETBIT", List.of("k"), "SETBIT", "k", "7", "1"),
                strings("DEL", List.of("k", "n"), "DEL", "k", "n", "missing"),
                strings("UNLINK", List.of("k"), "UNLINK", "k"),
                strings("RENAME", List.of("k", "n"), "RENAME", "k", "n"),
                strings("RENAMENX, refused", List.of("k", "n"), "RENAMENX", "k", "n"),
                strings("RENAMENX, applied", List.of("k", "missing"), "RENAMENX", "k", "missing"),
                strings("COPY REPLACE", List.of("k", "n"), "COPY", "k", "n", "REPLACE"),
                strings("MOVE", List.of("0:k", "3:k"), "MOVE", "k", "3"),
                strings("EXPIRE 0 (deletes)", List.of("k"), "EXPIRE", "k", "0"),
                strings("SORT ... STORE onto a string", List.of("k", "list"), "SORT", "list", "STORE", "k"),
                strings("BITOP", List.of("k", "n"), "BITOP", "OR", "k", "k", "n"),
                strings("SUNIONSTORE onto a string (GET is WRONGTYPE)", List.of("k"), "SUNIONSTORE", "k", "set"),
                strings("ZUNIONSTORE onto a string (GET is WRONGTYPE)", List.of("n"), "ZUNIONSTORE", "n", "1", "set"),
                strings("LPUSH onto a string (WRONGTYPE, unchanged)", List.of("k"), "LPUSH", "k", "x"),
                strings("FLUSHDB", List.of("k", "n", "3:k"), "FLUSHDB"),
                strings("FLUSHALL", List.of("k", "3:k"), "FLUSHALL"),
                strings("SWAPDB", List.of("0:k", "3:k", "0:n", "3:n"), "SWAPDB", "0", "3"),
                strings("RESTORE REPLACE", List.of("k"), "RESTORE", "k", "0", "DUMP-OF:n", "REPLACE"),
                selected(3, "SET in database 3", List.of("0:k", "3:k"), "SET", "k", "new-in-3"),
                selected(3, "FLUSHDB in database 3", List.of("0:k", "3:k"), "FLUSHDB"));
    }

    /** Every case starts with the same data: strings k, n (a number), in databases 0 and 3, a list, a set. */
    private static Arguments strings(String name, List<String> checked, String... write) {
        return selected(0, name, checked, write);
    }

    private static Arguments selected(int db, String name, List<String> checked, String... write) {
        List<String[]> setup = List.of(
                new String[] {"MSET", "k", "value-of-k", "n", "10"},
                new String[] {"RPUSH", "list", "3", "2", "1"},
                new String[] {"SADD", "set", "a", "b"},
                new String[] {"SELECT", "3"},
                new String[] {"MSET", "k", "value-of-k-in-3", "n", "30"},
                new String[] {"SELECT", "0"});
        return Arguments.of(Named.of(name, new Case(setup, write, db, checked)));
    }

    /** One Redis and one respite for every case, which starts with FLUSHALL through respite. */
    private static RedisServer shared;

    private static ProxyFixture fixture;

    @BeforeAll
    static void startShared(RedisServer redis) throws IOException {
        shared = redis;
        fixture = ProxyFixture.startCaching(redis);
    }

    @BeforeEach
    void flushAll() throws IOException {
        assertEquals("+OK\r\n", fixture.client().callString("FLUSHALL"));
    }

    @AfterAll
    static void stopShared() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void readAfterWriteThroughRespiteEqualsRedis(Case c) throws IOException {
        try (RespTestClient direct = RespTestClient.connect(shared.address())) {
            RespTestClient proxied = fixture.client();
            for (String[] command : c.setup()) {
                assertTrue(proxied.callString(command).matches("[+:].*\r\n"), String.join(" ", command));
            }
            for (String checked : c.checked()) {
                Key key = Key.parse(checked);
                select(proxied, key.db());
                String first = proxied.callString("GET", key.name());
                if (first.startsWith("$")) {
                    // Strings, and nils (--cache-nil is on in tracking mode), are cached: a value once
                    // its PTTL is back, a round trip after the client had it.
                    Await.until(checked + " is cached", ProxyFixture.AWAIT, () -> {
                        long hits = fixture.stats().hits();
                        assertEquals(first, proxied.callString("GET", key.name()));
                        return fixture.stats().hits() > hits;
                    });
                } else {
                    long hits = fixture.stats().hits();
                    assertEquals(first, proxied.callString("GET", key.name()));
                    assertEquals(hits, fixture.stats().hits(), checked + " is not cached: " + first);
                }
            }

            select(proxied, c.db());
            byte[] reply = proxied.call(withDumps(direct, c.write()));
            assertTrue(
                    reply.length > 0 && (reply[0] != '-' || c.write()[0].equals("LPUSH")),
                    "the write succeeds: " + ProxyFixture.text(reply));

            for (String checked : c.checked()) {
                Key key = Key.parse(checked);
                select(proxied, key.db());
                select(direct, key.db());
                assertEquals(
                        direct.callString("GET", key.name()),
                        proxied.callString("GET", key.name()),
                        "GET " + checked + " after " + String.join(" ", c.write()));
            }
        }
    }

    /** The write with any {@code DUMP-OF:key} replaced by the DUMP of that key, taken on Redis directly. */
    private static byte[][] withDumps(RespTestClient direct, String[] write) throws IOException {
        List<byte[]> args = new ArrayList<>();
        for (String arg : write) {
            if (arg.startsWith("DUMP-OF:")) {
                byte[] dump = direct.call("DUMP", arg.substring("DUMP-OF:".length()));
                int header = indexOf(dump, (byte) '\n') + 1;
                byte[] payload = new byte[dump.length - header - 2];
                System.arraycopy(dump, header, payload, 0, payload.length);
                args.add(payload);
            } else {
                args.add(arg.getBytes(StandardCharsets.UTF_8));
            }
        }
        return args.toArray(byte[][]::new);
    }

    @Test
    void aWriteOnOneConnectionIsSeenByEveryOther() throws IOException {
        List<RespTestClient> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // Four connections: with two io threads, some share a loop and some do not.
            clients.add(fixture.client());
        }
        clients.get(0).callString("SET", "shared", "v0");
        for (int round = 1; round <= 8; round++) {
            for (RespTestClient client : clients) {
                assertEquals("$2\r\nv" + (round - 1) + "\r\n", client.callString("GET", "shared"));
            }
            assertEquals("+OK\r\n", clients.get(round % clients.size()).callString("SET", "shared", "v" + round));
        }
    }

    @Test
    void inlineWriteInvalidatesLikeAnArrayOne() throws IOException {
        RespTestClient client = fixture.client();
        assertEquals("+OK\r\n", client.callString("SET", "k", "old"));
        assertEquals("$3\r\nold\r\n", client.callString("GET", "k"));
        assertEquals("$3\r\nold\r\n", client.callString("GET", "k"));
        client.send("SET k \"new value\"\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("+OK\r\n", ProxyFixture.text(client.readReply()));
        assertEquals("$9\r\nnew value\r\n", client.callString("GET", "k"));
    }

    @Test
    void aValueWrittenBehindRespitesBackIsSeenOnceTheTtlPasses(RedisServer redis) throws IOException {
        try (ProxyFixture shortTtl = ProxyFixture.startCaching(redis, b -> b.ttl(Duration.ofMillis(300)))) {
            RespTestClient client = shortTtl.client();
            assertEquals("+OK\r\n", client.callString("SET", "k", "old"));
            shortTtl.awaitCached(client, "k", "$3\r\nold\r\n");
            // Written on Redis directly: respite cannot know, its TTL is the safety net.
            assertEquals("+OK\r\n", redis.callString("SET", "k", "new"));
            Await.until(
                    "GET k through respite sees the direct write",
                    Duration.ofSeconds(3),
                    () -> client.callString("GET", "k").equals("$3\r\nnew\r\n"));
        }
    }

    @Test
    void aKeyThatExpiresUpstreamIsGoneOnceTheTtlPasses(RedisServer redis) throws IOException {
        try (ProxyFixture shortTtl = ProxyFixture.startCaching(redis, b -> b.ttl(Duration.ofMillis(300)))) {
            RespTestClient client = shortTtl.client();
            assertEquals("+OK\r\n", client.callString("SET", "k", "v"));
            assertEquals(":1\r\n", client.callString("PEXPIRE", "k", "200"));
            assertEquals("$1\r\nv\r\n", client.callString("GET", "k"));
            assertEquals("$1\r\nv\r\n", client.callString("GET", "k"));
            Await.until(
                    "TTL k reports the key gone on Redis",
                    Duration.ofSeconds(3),
                    () -> client.callString("TTL", "k").equals(":-2\r\n"));
            Await.until(
                    "GET k through respite is nil",
                    Duration.ofSeconds(3),
                    () -> client.callString("GET", "k").equals("$-1\r\n"));
            assertEquals("$-1\r\n", redis.callString("GET", "k"));
        }
    }

    private static void select(RespTestClient client, int db) throws IOException {
        assertEquals("+OK\r\n", client.callString("SELECT", Integer.toString(db)));
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** A checked key: {@code db:name}, or {@code name} in database 0. */
    private record Key(int db, String name) {
        static Key parse(String text) {
            int colon = text.indexOf(':');
            return colon < 0
                    ? new Key(0, text)
                    : new Key(Integer.parseInt(text.substring(0, colon)), text.substring(colon + 1));
        }
    }

    @Test
    void scriptWriteToADeclaredKeyIsSeen() throws IOException {
        RespTestClient client = fixture.client();
        assertEquals("+OK\r\n", client.callString("SET", "k", "old"));
        assertEquals("$3\r\nold\r\n", client.callString("GET", "k"));
        assertEquals("$3\r\nold\r\n", client.callString("GET", "k"));
        assertEquals(
                "+OK\r\n", client.callString("EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "k", "new"));
        assertEquals("$3\r\nnew\r\n", shared.callString("GET", "k"));
        assertEquals("$3\r\nnew\r\n", client.callString("GET", "k"), "GET through respite after EVAL");
    }

    @Test
    void copyIntoAnotherDatabaseIsSeenThere() throws IOException {
        RespTestClient client = fixture.client();
        assertEquals("+OK\r\n", client.callString("SET", "src", "copied"));
        assertEquals("+OK\r\n", client.callString("SELECT", "3"));
        assertEquals("+OK\r\n", client.callString("SET", "dst", "old"));
        assertEquals("$3\r\nold\r\n", client.callString("GET", "dst"));
        assertEquals("$3\r\nold\r\n", client.callString("GET", "dst"));
        assertEquals("+OK\r\n", client.callString("SELECT", "0"));
        assertEquals(":1\r\n", client.callString("COPY", "src", "dst", "DB", "3", "REPLACE"));
        assertEquals("+OK\r\n", client.callString("SELECT", "3"));
        assertEquals("$6\r\ncopied\r\n", client.callString("GET", "dst"), "GET dst in database 3 after COPY ... DB 3");
    }

    @Test
    void aWriteBeforeHelloIsSeenByAReadAfterIt(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.start(redis)) {
            fixture.awaitCaching();
            RespTestClient client = fixture.client();
            // Both upstream connections of this loop exist from here on.
            assertTrue(client.callString("HELLO", "3").startsWith("%7\r\n"));
            assertEquals("+OK\r\n", client.callString("SET", "k", "old"));
            assertTrue(client.callString("HELLO", "2").startsWith("*14\r\n"));
            byte[] large = new byte[4 * 1024 * 1024];
            Arrays.fill(large, (byte) 'n');
            for (int round = 0; round < 5; round++) {
                assertTrue(client.callString("HELLO", "3").startsWith("%7\r\n"));
                ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
                large[0] = (byte) ('0' + round);
                pipeline.writeBytes(RespTestClient.encodeCommand("SET".getBytes(), "k".getBytes(), large));
                pipeline.writeBytes(RespTestClient.encodeCommand("HELLO", "2"));
                pipeline.writeBytes(RespTestClient.encodeCommand("STRLEN", "k"));
                pipeline.writeBytes(RespTestClient.encodeCommand("GETRANGE", "k", "0", "0"));
                client.send(pipeline.toByteArray());
                assertEquals("+OK\r\n", ProxyFixture.text(client.readReply()));
                assertTrue(ProxyFixture.text(client.readReply()).startsWith("*14\r\n"));
                assertEquals(":" + large.length + "\r\n", ProxyFixture.text(client.readReply()), "round " + round);
                assertEquals("$1\r\n" + round + "\r\n", ProxyFixture.text(client.readReply()), "round " + round);
            }
        }
    }
}
