package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** INFO through respite: Redis's sections, then respite's, parsed as a client library parses them. */
@ExtendWith(RedisExtension.class)
class InfoIT {

    @Test
    void infoAppendsRespitesSectionAndItsFiguresMoveWithTraffic(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            RespTestClient client = fixture.client();
            Map<String, String> before = parse(client.callString("INFO"));
            assertTrue(before.containsKey("redis_version"), "Redis's own sections are there");
            assertEquals("tracking", before.get("coherence_mode"));
            assertEquals("1", before.get("caching"));
            assertEquals("+OK\r\n", client.callString("SET", "k", "v"));
            fixture.awaitCached(client, "k", "$1\r\nv\r\n");
            long hits =
                    Long.parseLong(parse(client.callString("INFO", "respite")).get("cache_hits"));
            for (int i = 0; i < 5; i++) {
                assertEquals("$1\r\nv\r\n", client.callString("GET", "k"));
            }
            Map<String, String> after = parse(client.callString("INFO", "respite"));
            assertEquals(hits + 5, Long.parseLong(after.get("cache_hits")), "five hits, counted");
            assertEquals(null, after.get("redis_version"), "INFO respite is respite's section alone");
            Map<String, String> both = parse(client.callString("INFO", "server", "respite"));
            assertTrue(both.containsKey("redis_version") && both.containsKey("cache_hits"), both.toString());
            assertEquals(null, parse(client.callString("INFO", "keyspace")).get("cache_hits"), "Redis's alone");
            assertTrue(client.callString("HELLO", "3").startsWith("%"));
            String verbatim = client.callString("INFO", "respite");
            assertTrue(verbatim.startsWith("=") && verbatim.contains("txt:# Respite\r\n"), verbatim);
        }
    }

    /**
     * An INFO reply as client libraries read it: every line a {@code # Section} header, blank, or
     * {@code field:value}; anything else fails the test.
     */
    private static Map<String, String> parse(String reply) {
        String body = reply.substring(reply.indexOf("\r\n") + 2);
        if (body.startsWith("txt:")) {
            body = body.substring(4);
        }
        Map<String, String> fields = new HashMap<>();
        for (String line : body.split("\r\n")) {
            if (line.isEmpty() || line.startsWith("# ")) {
                continue;
            }
            int colon = line.indexOf(':');
            assertTrue(colon > 0, "not a field line: '" + line + "'");
            fields.put(line.substring(0, colon), line.substring(colon + 1));
        }
        return fields;
    }
}
