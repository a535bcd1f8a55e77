package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.config.CoherenceOption;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The GET cache seen from outside: hits are answered without asking Redis, databases are kept
 * apart, nil is never cached, RESP3 clients share the entries RESP2 clients filled, and values
 * larger than --max-entry-size are relayed intact without being cached.
 */
@ExtendWith(RedisExtension.class)
class CacheIT {

    private static final Pattern GET_CALLS = Pattern.compile("cmdstat_get:calls=(\\d+)");

    @Test
    void aHitIsAnsweredWithoutAskingRedis(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            RespTestClient client = fixture.client();
            assertEquals("+OK\r\n", client.callString("SET", "k", "v"));
            assertEquals("$1\r\nv\r\n", client.callString("GET", "k"));
            long upstreamGets = upstreamGetCalls(redis);
            long hits = fixture.stats().hits();
            for (int i = 0; i < 50; i++) {
                assertEquals("$1\r\nv\r\n", client.callString("GET", "k"));
            }
            assertEquals(hits + 50, fixture.stats().hits());
            assertEquals(upstreamGets, upstreamGetCalls(redis), "GETs that reached Redis while the key was cached");
        }
    }

    @Test
    void selectKeepsDatabasesApartInTheCache(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            RespTestClient client = fixture.client();
            assertEquals("+OK\r\n", client.callString("SET", "k", "zero"));
            assertEquals("+OK\r\n", client.callString("SELECT", "3"));
            assertEquals("+OK\r\n", client.callString("SET", "k", "three"));
            fixture.awaitCached(client, "k", "$5\r\nthree\r\n");
            assertEquals("+OK\r\n", client.callString("SELECT", "0"));
            fixture.awaitCached(client, "k", "$4\r\nzero\r\n");
            assertEquals("+OK\r\n", client.callString("SELECT", "3"));
            long hits = fixture.stats().hits();
            for (int round = 0; round < 3; round++) {
                assertEquals("$5\r\nthree\r\n", client.callString("GET", "k"));
                assertEquals("+OK\r\n", client.callString("SELECT", "0"));
                assertEquals("$4\r\nzero\r\n", client.callString("GET", "k"));
                assertEquals("+OK\r\n", client.callString("SELECT", "3"));
            }
            assertEquals(6, fixture.stats().hits() - hits, "both databases' k are served from the cache");
            assertEquals(":1\r\n", client.callString("DEL", "k"));
            assertEquals("$-1\r\n", client.callString("GET", "k"));
            assertEquals("+OK\r\n", client.callString("SELECT", "0"));
            assertEquals("$4\r\nzero\r\n", client.callString("GET", "k"), "DEL in database 3 leaves database 0 alone");
            // Another connection starts in database 0 and sees database 0's value.
            assertEquals("$4\r\nzero\r\n", fixture.client().callString("GET", "k"));
        }
    }

    @Test
    void nilIsNotCachedInTtlMode(RedisServer redis) throws IOException {
        // In tracking mode it is, until Redis says the key was created (CoherenceIT).
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis, b -> b.coherence(CoherenceOption.TTL))) {
            RespTestClient client = fixture.client();
            assertEquals("$-1\r\n", client.callString("GET", "missing"));
            assertEquals("$-1\r\n", client.callString("GET", "missing"));
            // Written behind respite's back: a cached nil would hide it until the TTL.
            assertEquals("+OK\r\n", redis.callString("SET", "missing", "now-here"));
            assertEquals("$8\r\nnow-here\r\n", client.callString("GET", "missing"));
        }
    }

    @Test
    void resp3ClientsReadWhatResp2ClientsCached(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            RespTestClient resp2 = fixture.client();
            RespTestClient resp3 = fixture.client();
            assertTrue(resp3.callString("HELLO", "3").startsWith("%7\r\n"));
            assertEquals("+OK\r\n", resp2.callString("SET", "k", "v"));
            assertEquals("$1\r\nv\r\n", resp2.callString("GET", "k"));
            // Cached once its PTTL is back, a round trip after the client had the value.
            Await.until("k is cached", ProxyFixture.AWAIT, () -> fixture.stats().entries() > 0);
            long hits = fixture.stats().hits();
            assertEquals("$1\r\nv\r\n", resp3.callString("GET", "k"));
            assertEquals(hits + 1, fixture.stats().hits(), "the RESP3 GET is a hit");
            assertEquals("_\r\n", resp3.callString("GET", "missing"), "RESP3 nil");
            assertEquals("$-1\r\n", resp2.callString("GET", "missing"), "RESP2 nil");
            assertEquals("+OK\r\n", resp3.callString("SET", "k", "w"));
            assertEquals("$1\r\nw\r\n", resp2.callString("GET", "k"), "a RESP3 write invalidates for RESP2 readers");
        }
    }

    @Test
    void valuesAboveMaxEntrySizeAreRelayedButNotCached(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis, b -> b.maxEntrySizeBytes(4096))) {
            RespTestClient client = fixture.client();
            byte[] small = filled(1000, 's');
            byte[] large = filled(8000, 'L');
            assertEquals(
                    "+OK\r\n",
                    ProxyFixture.text(client.call(ProxyFixture.utf8("SET"), ProxyFixture.utf8("small"), small)));
            assertEquals(
                    "+OK\r\n",
                    ProxyFixture.text(client.call(ProxyFixture.utf8("SET"), ProxyFixture.utf8("large"), large)));
            long hits = fixture.stats().hits();
            for (int i = 0; i < 3; i++) {
                assertEquals(bulk(small), ProxyFixture.text(client.call("GET", "small")));
                assertEquals(bulk(large), ProxyFixture.text(client.call("GET", "large")));
            }
            assertEquals(hits + 2, fixture.stats().hits(), "only the small value is served from the cache");
        }
    }

    private static long upstreamGetCalls(RedisServer redis) throws IOException {
        Matcher matcher = GET_CALLS.matcher(redis.callString("INFO", "commandstats"));
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    private static byte[] filled(int length, char c) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) c);
        return bytes;
    }

    private static String bulk(byte[] value) {
        return "$" + value.length + "\r\n" + ProxyFixture.text(value) + "\r\n";
    }

    @Test
    void aValueOfExactlyMaxEntrySizeIsCached(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.start(redis, b -> b.maxEntrySizeBytes(4096))) {
            fixture.awaitCaching();
            RespTestClient client = fixture.client();
            byte[] value = filled(4096, 'x');
            assertEquals(
                    "+OK\r\n", ProxyFixture.text(client.call(ProxyFixture.utf8("SET"), ProxyFixture.utf8("k"), value)));
            // --max-entry-size is the largest value cached: a 4096-byte value with --max-entry-size 4096.
            fixture.awaitCached(client, "k", bulk(value));
        }
    }
}
