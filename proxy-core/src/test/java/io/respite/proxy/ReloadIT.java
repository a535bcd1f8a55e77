package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP on a real respite process with a config file (ttl coherence, so that writes made in Redis
 * directly are seen only when an entry ends): the TTL and the capacity change for entries
 * cached after the reload (and the cache shrinks at once) while a client stays connected through
 * it; an option read only at start is reported by name; an invalid file is rejected, logged, and
 * the configuration in force is kept.
 */
@ExtendWith(RedisExtension.class)
class ReloadIT {

    /** Keys written to Redis and read through respite, more than the reloaded capacity. */
    private static final int KEYS = 200;

    /** The capacity the reload sets: at least the cache's stripes (at most 8 for 1000 entries). */
    private static final int SMALL_CAPACITY = 64;

    @TempDir
    Path dir;

    @Test
    void sighupAppliesTtlAndCapacityKeepsClientsAndRejectsABadFile(RedisServer redis) throws Exception {
        Path conf = dir.resolve("respite.conf");
        writeConf(conf, "ttl 60s", "capacity 1000", "io-threads 1", "coherence ttl");
        try (ChildRespite respite = ChildRespite.start(
                        List.of("--config", conf.toString(), "--upstream", redis.uri(), "--admin-port", "none"),
                        dir.resolve("stderr"));
                RespTestClient client = RespTestClient.connect(respite.address());
                RespTestClient direct = RespTestClient.connect(redis.address())) {
            Await.until(
                    "respite reaches Redis",
                    ChildRespite.TIMEOUT,
                    () -> client.callString("SET", "a", "1").equals("+OK\r\n"));
            readAll(client, direct, "before:");
            // The last fills land a round trip after their replies.
            Await.until("all cached under capacity 1000", ChildRespite.TIMEOUT, () -> entries(client) == KEYS);
            assertEquals("$2\r\nv1\r\n", cacheThenChange(client, direct, "old"));
            assertEquals("$2\r\nv1\r\n", client.callString("GET", "old"), "a 60 s TTL: the old value stays");

            writeConf(conf, "ttl 1s", "capacity " + SMALL_CAPACITY, "io-threads 2", "coherence ttl");
            respite.signal("HUP");
            respite.awaitLog("reload: --ttl 60000ms -> 1000ms");
            respite.awaitLog("reload: --capacity 1000 -> " + SMALL_CAPACITY);
            respite.awaitLog("reload: --io-threads changed in the file; restart to apply");

            long shrunk = entries(client);
            assertTrue(shrunk > 0 && shrunk <= SMALL_CAPACITY, "evicted down at once: " + shrunk);
            readAll(client, direct, "after:");
            long afterNew = entries(client);
            assertTrue(afterNew > 0 && afterNew <= SMALL_CAPACITY, "new entries within the new capacity: " + afterNew);
            assertEquals("$2\r\nv1\r\n", cacheThenChange(client, direct, "new"));
            Await.until(
                    "an entry cached after the reload lives 1 s",
                    Duration.ofSeconds(10),
                    () -> client.callString("GET", "new").equals("$2\r\nv2\r\n"));
            Await.until(
                    "an entry cached before lives no longer than the new TTL",
                    Duration.ofSeconds(10),
                    () -> client.callString("GET", "old").equals("$2\r\nv2\r\n"));

            writeConf(conf, "ttl banana", "capacity 5000", "coherence ttl");
            respite.signal("HUP");
            respite.awaitLog("reload rejected, the configuration in force is kept: ");
            assertTrue(
                    respite.stderr().lines().anyMatch(line -> line.contains("reload rejected") && line.contains("ttl")),
                    "the rejection names the option: " + respite.stderr());
            readAll(client, direct, "rejected:");
            long kept = entries(client);
            assertTrue(kept <= SMALL_CAPACITY, "capacity 5000 was not taken: " + kept);
            assertEquals("$2\r\nv1\r\n", cacheThenChange(client, direct, "kept"));
            Await.until(
                    "the 1 s TTL is still in force",
                    Duration.ofSeconds(10),
                    () -> client.callString("GET", "kept").equals("$2\r\nv2\r\n"));
            assertEquals("+PONG\r\n", client.callString("PING"), "the client connected before every reload");
            assertTrue(respite.isAlive());
            respite.stop();
        }
    }

    private static void writeConf(Path conf, String... lines) throws IOException {
        Files.write(conf, List.of(lines), StandardCharsets.UTF_8);
    }

    /** Writes {@value #KEYS} keys to Redis directly and reads each once through respite. */
    private static void readAll(RespTestClient client, RespTestClient direct, String prefix) throws IOException {
        List<String> mset = new ArrayList<>(List.of("MSET"));
        for (int i = 0; i < KEYS; i++) {
            mset.add(prefix + i);
            mset.add("value " + i);
        }
        assertEquals("+OK\r\n", direct.callString(mset.toArray(String[]::new)));
        for (int i = 0; i < KEYS; i++) {
            assertEquals(
                    "$" + ("value " + i).length() + "\r\nvalue " + i + "\r\n", client.callString("GET", prefix + i));
        }
    }

    /** Caches {@code key} as v1 through respite, sets it to v2 in Redis directly; returns what respite says now. */
    private static String cacheThenChange(RespTestClient client, RespTestClient direct, String key) throws IOException {
        assertEquals("+OK\r\n", direct.callString("SET", key, "v1"));
        // A fill is installed a round trip after the client has the value (its PTTL): read until a hit.
        Await.until(key + " is cached", ChildRespite.TIMEOUT, () -> {
            long hits = info(client, "cache_hits:");
            assertEquals("$2\r\nv1\r\n", client.callString("GET", key));
            return info(client, "cache_hits:") > hits;
        });
        assertEquals("+OK\r\n", direct.callString("SET", key, "v2"));
        return client.callString("GET", key);
    }

    /** {@code cache_entries} of INFO respite. */
    private static long entries(RespTestClient client) throws IOException {
        return info(client, "cache_entries:");
    }

    /** The number after {@code field} in INFO respite. */
    private static long info(RespTestClient client, String field) throws IOException {
        for (String line : client.callString("INFO", "respite").split("\r\n")) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()));
            }
        }
        throw new AssertionError("no " + field + " in INFO respite");
    }
}
