package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin listener from outside: {@code /health}, {@code /ready} following the upstream,
 * {@code /metrics} parsed as Prometheus parses it and moved by exactly what a known sequence of
 * commands should move it, {@code /stats} as the dashboard reads it, and the dashboard's files.
 */
@ExtendWith(RedisExtension.class)
class AdminIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void healthReadyAndTheDashboardsFiles(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            assertEquals("ok\n", get(fixture, "/health").body());
            assertEquals("ready\n", get(fixture, "/ready").body());
            HttpResponse<String> page = get(fixture, "/");
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<title>respite</title>"), page.body());
            assertEquals(Optional.of("text/html; charset=utf-8"), page.headers().firstValue("content-type"));
            assertTrue(get(fixture, "/uplot.min.js").body().contains("uPlot"));
            assertEquals(200, get(fixture, "/uplot.min.css").statusCode());
            assertEquals(404, get(fixture, "/nope").statusCode());
            HttpResponse<String> post = http.send(
                    HttpRequest.newBuilder(uri(fixture, "/health"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
        }
    }

    @Test
    void readyFollowsTheUpstream(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            assertEquals(200, get(fixture, "/ready").statusCode());
            redis.kill();
            Await.until(
                    "/ready turns 503",
                    ProxyFixture.AWAIT,
                    () -> get(fixture, "/ready").statusCode() == 503);
            assertEquals(200, get(fixture, "/health").statusCode(), "alive all the same");
            redis.start();
            Await.until(
                    "/ready turns 200",
                    Duration.ofSeconds(20),
                    () -> get(fixture, "/ready").statusCode() == 200);
        }
    }

    @Test
    void metricsMoveByExactlyWhatCommandsDo(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(
                redis, b -> b.maxClients(3).capacityEntries(64).deniedCommands(Set.of("debug")))) {
            RespTestClient client = fixture.client();
            assertEquals("+OK\r\n", client.callString("SET", "m", "v"));
            fixture.awaitCached(client, "m", "$1\r\nv\r\n");
            PrometheusText before = metrics(fixture);
            assertEquals("counter", before.type("respite_cache_hits_total"));
            for (int i = 0; i < 7; i++) {
                assertEquals("$1\r\nv\r\n", client.callString("GET", "m"));
            }
            for (int i = 0; i < 3; i++) {
                assertEquals("$-1\r\n", client.callString("GET", "absent:" + i));
            }
            assertEquals("+PONG\r\n", client.callString("PING"));
            assertEquals("+OK\r\n", client.callString("SET", "other", "1"));
            assertTrue(client.callString("DEBUG", "SLEEP", "0").startsWith("-ERR"));
            PrometheusText after = metrics(fixture);
            assertEquals(7, delta(before, after, "respite_cache_hits_total"));
            assertEquals(3, delta(before, after, "respite_cache_misses_total"));
            assertEquals(7, delta(before, after, "respite_commands_total", "command", "get", "outcome", "hit"));
            assertEquals(3, delta(before, after, "respite_commands_total", "command", "get", "outcome", "miss"));
            assertEquals(1, after.value("respite_commands_total", "command", "debug", "outcome", "error"));
            assertEquals(
                    1,
                    after.value("respite_commands_total", "command", "ping", "outcome", "local")
                            - (before.has("respite_commands_total", "command", "ping", "outcome", "local")
                                    ? before.value("respite_commands_total", "command", "ping", "outcome", "local")
                                    : 0));
            assertEquals(1, delta(before, after, "respite_commands_total", "command", "set", "outcome", "forwarded"));

            // An invalidation: the key changed behind respite's back.
            redis.call("SET", "m", "w");
            Await.until(
                    "the invalidation is counted",
                    ProxyFixture.AWAIT,
                    () -> delta(after, metrics(fixture), "respite_invalidation_messages_total") == 1);

            // Evictions: every fill adds one entry, so fills less entries left is what was evicted.
            PrometheusText beforeFills = metrics(fixture);
            int fills = 200;
            for (int i = 0; i < fills; i++) {
                redis.call("SET", "fill:" + i, "x");
            }
            long filled = fixture.stats().entries();
            for (int i = 0; i < fills; i++) {
                fixture.awaitCached(client, "fill:" + i, "$1\r\nx\r\n");
            }
            PrometheusText afterFills = metrics(fixture);
            double entries = afterFills.value("respite_cache_entries");
            assertTrue(entries <= 64, "entries " + entries);
            assertEquals(
                    fills + filled - entries,
                    delta(beforeFills, afterFills, "respite_cache_evictions_total", "cause", "entries")
                            + delta(beforeFills, afterFills, "respite_cache_expirations_total")
                            + delta(beforeFills, afterFills, "respite_cache_invalidated_total"),
                    "entries that left the cache");

            // A rejected client: maxclients is 3; the fixture's client and this one make two.
            RespTestClient second = fixture.client();
            assertEquals("+PONG\r\n", second.callString("PING"));
            RespTestClient third = fixture.client();
            assertEquals("+PONG\r\n", third.callString("PING"));
            RespTestClient fourth = fixture.client();
            assertEquals(
                    "-ERR max number of clients reached\r\n", new String(fourth.readReply(), StandardCharsets.UTF_8));
            PrometheusText rejected = metrics(fixture);
            assertEquals(1, delta(afterFills, rejected, "respite_clients_rejected_total"));
            assertEquals(3, rejected.value("respite_clients"));
            assertTrue(rejected.value("jvm_memory_used_bytes", "area", "heap") > 0);
            assertTrue(rejected.has("respite_netty_direct_memory_used_bytes"));
            assertTrue(rejected.value("respite_upstream_latency_seconds_count") > 0);
            assertEquals(0, rejected.value("respite_upstream_commands_in_flight"));
        }
    }

    @Test
    void statsIsTheJsonTheDashboardReads(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            RespTestClient client = fixture.client();
            assertEquals("+OK\r\n", client.callString("SET", "s", "v"));
            fixture.awaitCached(client, "s", "$1\r\nv\r\n");
            HttpResponse<String> response = get(fixture, "/stats");
            assertEquals(
                    Optional.of("application/json; charset=utf-8"),
                    response.headers().firstValue("content-type"));
            JsonNode stats = new ObjectMapper().readTree(response.body());
            assertEquals("tracking", stats.path("coherence").path("mode").asText());
            assertTrue(stats.path("coherence").path("caching").asBoolean());
            assertTrue(stats.path("upstream").path("available").asBoolean());
            assertEquals(
                    fixture.stats().hits(), stats.path("cache").path("hits").asLong());
            assertTrue(stats.path("cache").path("entries").asLong() >= 1);
            assertTrue(stats.path("clients").path("connected").asLong() >= 1);
            assertTrue(stats.path("hot_keys").isArray());
            assertTrue(stats.path("commands").path("forwarded").asLong() >= 2, "the SET and the GET that missed");
            assertTrue(stats.path("upstream").path("latency_p99_ms").asDouble() > 0, response.body());

            RespTestClient transaction = fixture.client();
            assertEquals("+OK\r\n", transaction.callString("MULTI"));
            Await.until(
                    "a client leases a dedicated connection",
                    ProxyFixture.AWAIT,
                    () -> new ObjectMapper()
                                    .readTree(get(fixture, "/stats").body())
                                    .path("clients")
                                    .path("pinned")
                                    .asLong()
                            == 1);
            assertEquals(1, metrics(fixture).value("respite_clients_pinned"));
            assertEquals("+OK\r\n", transaction.callString("DISCARD"));
        }
    }

    @Test
    void aSkewedWorkloadsTopKeyIsReportedFirstWithTheLargestValues(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            RespTestClient client = fixture.client();
            assertEquals("+OK\r\n", client.callString("SET", "big", "x".repeat(100_000)));
            assertEquals("+OK\r\n", client.callString("SET", "hot", "h"));
            fixture.awaitCached(client, "big", "$100000\r\n" + "x".repeat(100_000) + "\r\n");
            for (int round = 0; round < 50; round++) {
                for (int i = 0; i < 4; i++) {
                    client.callString("GET", "hot");
                }
                client.callString("GET", "warm");
                client.callString("GET", "cold:" + round);
            }
            Await.until("the report is taken", Duration.ofSeconds(15), () -> {
                JsonNode stats =
                        new ObjectMapper().readTree(get(fixture, "/stats").body());
                JsonNode hot = stats.path("hot_keys");
                JsonNode largest = stats.path("largest_values");
                return hot.size() >= 2
                        && hot.get(0).path("key").asText().equals("hot")
                        && hot.get(0).path("count").asLong() >= 200
                        && hot.get(1).path("key").asText().equals("warm")
                        && largest.size() >= 1
                        && largest.get(0).path("key").asText().equals("big");
            });
            String info = client.callString("INFO", "respite");
            assertTrue(info.contains("\r\nhot_key_0:key=hot,reads="), info);
            assertTrue(info.contains("\r\nlargest_value_0:db=0,key=big,bytes="), info);
        }
    }

    private PrometheusText metrics(ProxyFixture fixture) throws Exception {
        HttpResponse<String> response = get(fixture, "/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
        return PrometheusText.parse(response.body());
    }

    private static double delta(PrometheusText before, PrometheusText after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }

    private HttpResponse<String> get(ProxyFixture fixture, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(fixture, path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(ProxyFixture fixture, String path) {
        return URI.create("http://127.0.0.1:" + fixture.proxy().adminAddress().getPort() + path);
    }
}
