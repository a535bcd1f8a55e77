package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.config.ProxyConfig;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisFleet;
import io.respite.testing.RedisServer;
import io.respite.testing.RedisTls;
import io.respite.testing.RespTestClient;
import io.respite.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to the upstream: a real {@code redis-server --tls-port ... --port 0} that requires client
 * certificates, reached through {@code rediss://} by every kind of upstream connection respite
 * opens; and the upstream certificates respite refuses, with the reason in clients' errors and in
 * the log.
 */
@ExtendWith(RedisExtension.class)
class UpstreamTlsIT {

    private static final Duration AWAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final TestPki.Ca ca = TestPki.newCa("redis test CA");

    /**
     * Shared lanes (and the catalog they load), the cache and the tracking connection that keeps it
     * coherent, dedicated connections (MULTI, a blocking pop), the subscriber connection and an
     * out-of-band one (SCRIPT KILL): each would answer {@code upstream unavailable} if its
     * connection failed to speak TLS.
     */
    @Test
    void everyKindOfUpstreamConnectionSpeaksTls(RedisFleet fleet) throws Exception {
        RedisServer redis = fleet.startTls(RedisTls.issue(ca, dir));
        try (LogCapture log = LogCapture.of("io.respite.proxy");
                ProxyFixture fixture = ProxyFixture.startCaching(redis, mutualTls())) {
            RespTestClient client = fixture.client();
            assertEquals("+OK\r\n", client.callString("SET", "k", "v"));
            fixture.awaitCached(client, "k", "$1\r\nv\r\n");
            assertEquals("+OK\r\n", redis.callString("SET", "k", "changed"));
            Await.until(
                    "the tracking connection invalidates k",
                    AWAIT,
                    () -> client.callString("GET", "k").equals("$7\r\nchanged\r\n"));

            assertEquals("+OK\r\n", client.callString("MULTI"));
            assertEquals("+QUEUED\r\n", client.callString("INCR", "n"));
            assertEquals("*1\r\n:1\r\n", client.callString("EXEC"));
            assertEquals(":1\r\n", redis.callString("RPUSH", "list", "x"));
            assertEquals("*2\r\n$4\r\nlist\r\n$1\r\nx\r\n", client.callString("BLPOP", "list", "1"));

            RespTestClient subscriber = fixture.client();
            assertEquals("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", subscriber.callString("SUBSCRIBE", "ch"));
            assertEquals(":1\r\n", redis.callString("PUBLISH", "ch", "hi"));
            assertEquals(
                    "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
                    new String(subscriber.readReply(), StandardCharsets.UTF_8));

            assertTrue(
                    client.callString("SCRIPT", "KILL").startsWith("-NOTBUSY"),
                    "an out-of-band connection reached Redis");
            assertFalse(log.contains("TLS handshake with"), log.lines().toString());
        }
    }

    @Test
    void anUpstreamCertificateOfAnotherCaIsRefused(RedisFleet fleet) throws Exception {
        RedisServer redis = fleet.startTls(RedisTls.issue(TestPki.newCa("a stranger CA"), dir.resolve("x")));
        assertUpstreamRefused(redis, mutualTls(), "certificate not trusted");
    }

    @Test
    void anExpiredUpstreamCertificateIsRefused(RedisFleet fleet) throws Exception {
        Instant now = Instant.now();
        TestPki.Issued expired = ca.issue("redis-server", now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)));
        RedisTls files = RedisTls.issue(ca, dir);
        RedisServer redis = fleet.startTls(new RedisTls(
                expired.writeCertificate(dir.resolve("expired.crt")),
                expired.writeKey(dir.resolve("expired.key")),
                files.caFile(),
                ca.issue("test-client").clientContextTrustingAnyServer()));
        assertUpstreamRefused(redis, mutualTls(), "certificate expired");
    }

    @Test
    void insecureModeAcceptsAnyCertificateAndWarns(RedisFleet fleet) throws Exception {
        RedisServer redis = fleet.startTls(
                RedisTls.issue(TestPki.newCa("a stranger CA"), dir.resolve("x")), "--tls-auth-clients", "no");
        try (LogCapture log = LogCapture.of("io.respite.proxy.tls");
                ProxyFixture fixture = ProxyFixture.startCaching(redis, b -> b.upstreamTlsInsecure(true))) {
            assertEquals("+OK\r\n", fixture.client().callString("SET", "k", "v"));
            assertTrue(log.contains("WARN --upstream-tls-insecure"), log.lines().toString());
        }
    }

    private void assertUpstreamRefused(RedisServer redis, UnaryOperator<ProxyConfig.Builder> options, String reason)
            throws IOException {
        try (LogCapture log = LogCapture.of("io.respite.proxy.upstream");
                ProxyFixture fixture = ProxyFixture.start(redis, options)) {
            RespTestClient client = fixture.client();
            String expected = "TLS handshake with 127.0.0.1:" + redis.port() + " failed: " + reason;
            Await.until(
                    "clients are told why",
                    AWAIT,
                    () -> client.callString("GET", "k").startsWith("-ERR upstream unavailable (" + expected));
            Await.until("the log says why", AWAIT, () -> log.contains(expected));
        }
    }

    /** An upstream over TLS checked against {@link #ca}, with a client certificate it signed. */
    private UnaryOperator<ProxyConfig.Builder> mutualTls() {
        return mutualTls(ca, dir);
    }

    /**
     * The options of an upstream over TLS ({@code rediss://}, {@code rediss-cluster://},
     * {@code rediss-sentinel://}) checked against {@code ca}, with a client certificate it signed,
     * the files written into {@code dir}.
     */
    static UnaryOperator<ProxyConfig.Builder> mutualTls(TestPki.Ca ca, Path dir) {
        TestPki.Issued respite = ca.issue("respite");
        Path cert = respite.writeCertificate(dir.resolve("respite-client.crt"));
        Path key = respite.writeKey(dir.resolve("respite-client.key"));
        Path caFile = ca.writeCertificate(dir.resolve("upstream-ca.crt"));
        return b -> b.upstreamTlsCa(caFile).upstreamTlsCertificate(cert, key);
    }
}
