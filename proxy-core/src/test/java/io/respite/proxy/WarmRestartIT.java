package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real respite stopped with SIGTERM and started again with {@code --warm-file}: the keys read
 * before the stop are prefetched before {@code /ready} turns green, and then served as hits at
 * once (Redis's own {@code INFO commandstats} counts no GET for them), still tracked by Redis; a
 * damaged or missing warm file is logged and respite starts cold.
 */
@ExtendWith(RedisExtension.class)
class WarmRestartIT {

    /** Keys read before the restart, in database 0; one more is read in database 1. */
    private static final int KEYS = 2_000;

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void theHotSetIsServedAsHitsAtOnceAfterARestart(RedisServer redis) throws Exception {
        Path warm = dir.resolve("respite.warm");
        int adminPort = ChildRespite.freePort();
        List<String> args = List.of(
                "--upstream", redis.uri(), "--admin-port", Integer.toString(adminPort), "--warm-file", warm.toString());
        fill(redis);
        try (ChildRespite first = ChildRespite.start(args, dir.resolve("first.log"))) {
            awaitReady(adminPort);
            try (RespTestClient client = RespTestClient.connect(first.address())) {
                // Reads that went out before Redis tracked them, and the last fills (a round trip
                // after their replies), are cached only by a later read: read until all are.
                Await.until("every key is cached", ChildRespite.TIMEOUT, () -> {
                    readAll(client);
                    return entries(client) == KEYS + 1;
                });
            }
            first.stop();
            assertTrue(first.stderr().contains("wrote the " + (KEYS + 1) + " hottest keys"), first.stderr());
        }
        assertEquals("+OK\r\n", redis.callString("CONFIG", "RESETSTAT"));

        try (ChildRespite second = ChildRespite.start(args, dir.resolve("second.log"))) {
            awaitReady(adminPort);
            assertTrue(second.stderr().contains("warm-up done: " + (KEYS + 1) + " keys"), second.stderr());
            long getsAfterWarmUp = getCalls(redis);
            assertTrue(getsAfterWarmUp >= KEYS + 1, "the warm-up read every key: " + getsAfterWarmUp);
            try (RespTestClient client = RespTestClient.connect(second.address())) {
                readAll(client);
                assertEquals(getsAfterWarmUp, getCalls(redis), "every warmed key was a hit: no GET reached Redis");
                assertEquals("+OK\r\n", redis.callString("SET", "key:7", "changed in Redis"));
                Await.until(
                        "a prefetched entry is invalidated by Redis's tracking, like any fill",
                        ChildRespite.TIMEOUT,
                        () -> client.callString("GET", "key:7").equals("$16\r\nchanged in Redis\r\n"));
            }
            second.stop();
        }
    }

    @Test
    void aDamagedOrMissingWarmFileIsLoggedAndRespiteStartsCold(RedisServer redis) throws Exception {
        Path warm = dir.resolve("respite.warm");
        Files.writeString(warm, "not a warm file at all\n", StandardCharsets.UTF_8);
        int adminPort = ChildRespite.freePort();
        List<String> args = List.of(
                "--upstream", redis.uri(), "--admin-port", Integer.toString(adminPort), "--warm-file", warm.toString());
        try (ChildRespite damaged = ChildRespite.start(args, dir.resolve("damaged.log"))) {
            awaitReady(adminPort);
            damaged.awaitLog(
                    "warm-up: ignoring the warm file " + warm + ", starting cold: warm file magic: 0x6e6f7420");
            try (RespTestClient client = RespTestClient.connect(damaged.address())) {
                assertEquals("+PONG\r\n", client.callString("PING"));
            }
            damaged.stop();
        }
        Files.delete(warm);
        try (ChildRespite missing = ChildRespite.start(args, dir.resolve("missing.log"))) {
            awaitReady(adminPort);
            missing.awaitLog("warm-up: no warm file " + warm + " yet: starting cold");
            missing.stop();
        }
        assertTrue(Files.exists(warm), "the stop wrote a new one");
    }

    private static void fill(RedisServer redis) throws IOException {
        List<String> mset = new ArrayList<>(List.of("MSET"));
        for (int i = 0; i < KEYS; i++) {
            mset.add("key:" + i);
            mset.add("value " + i);
        }
        assertEquals("+OK\r\n", redis.callString(mset.toArray(String[]::new)));
        try (RespTestClient direct = RespTestClient.connect(redis.address())) {
            assertEquals("+OK\r\n", direct.callString("SELECT", "1"));
            assertEquals("+OK\r\n", direct.callString("SET", "key:0", "in db 1"));
        }
    }

    /** Reads every key through respite, checking each value. */
    private static void readAll(RespTestClient client) throws IOException {
        for (int i = 0; i < KEYS; i++) {
            String value = "value " + i;
            assertEquals("$" + value.length() + "\r\n" + value + "\r\n", client.callString("GET", "key:" + i));
        }
        assertEquals("+OK\r\n", client.callString("SELECT", "1"));
        assertEquals("$7\r\nin db 1\r\n", client.callString("GET", "key:0"));
        assertEquals("+OK\r\n", client.callString("SELECT", "0"));
    }

    /** {@code cache_entries} of INFO respite. */
    private static long entries(RespTestClient client) throws IOException {
        for (String line : client.callString("INFO", "respite").split("\r\n")) {
            if (line.startsWith("cache_entries:")) {
                return Long.parseLong(line.substring("cache_entries:".length()));
            }
        }
        throw new AssertionError("no cache_entries in INFO respite");
    }

    /** {@code cmdstat_get}'s calls in Redis's {@code INFO commandstats}. */
    private static long getCalls(RedisServer redis) throws IOException {
        for (String line : redis.callString("INFO", "commandstats").split("\r\n")) {
            if (line.startsWith("cmdstat_get:calls=")) {
                return Long.parseLong(line.substring("cmdstat_get:calls=".length(), line.indexOf(',')));
            }
        }
        return 0;
    }

    private void awaitReady(int adminPort) {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/ready"))
                .build();
        Await.until(
                "/ready is 200",
                ChildRespite.TIMEOUT,
                () -> http.send(ready, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }
}
