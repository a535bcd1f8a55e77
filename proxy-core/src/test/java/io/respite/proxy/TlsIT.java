package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.config.ProxyConfig;
import io.respite.proxy.config.TlsOptions;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import io.respite.testing.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS for clients: the TLS port next to the plain one, both providers, mutual TLS and the
 * certificates it refuses (with a line in the log saying why), a certificate rotated under a live
 * listener, and HTTPS for the HTTP API and the admin listener. Every certificate is made for the
 * test by {@link TestPki}.
 */
@ExtendWith(RedisExtension.class)
class TlsIT {

    private static final Duration AWAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final TestPki.Ca ca = TestPki.newCa("respite test CA");

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = TlsOptions.Provider.class,
            names = {"OPENSSL", "JDK"})
    void theTlsPortServesTheSameSessionsAndCacheAsThePlainPort(TlsOptions.Provider provider, RedisServer redis)
            throws IOException {
        try (LogCapture log = LogCapture.of("io.respite.proxy");
                ProxyFixture fixture =
                        ProxyFixture.startCaching(redis, tlsPort("respite", b -> b.tlsProvider(provider)))) {
            assertTrue(
                    log.contains(
                            provider == TlsOptions.Provider.OPENSSL
                                    ? "TLS provider: OpenSSL"
                                    : "TLS provider: the JDK's"),
                    log.lines().toString());
            RespTestClient tls = fixture.tlsClient(ca.clientContext());
            RespTestClient plain = fixture.client();
            assertEquals("CN=respite", subject(tls));
            assertEquals("+OK\r\n", tls.callString("SET", "k", "over tls"));
            assertEquals("$8\r\nover tls\r\n", plain.callString("GET", "k"));
            fixture.awaitCached(tls, "k", "$8\r\nover tls\r\n");
            assertEquals("+OK\r\n", plain.callString("SET", "k", "plain"));
            assertEquals(
                    "$5\r\nplain\r\n", tls.callString("GET", "k"), "a write on one port invalidates for the other");
            assertEquals("+OK\r\n", tls.callString("SELECT", "1"), "a session of its own");
            assertEquals(":0\r\n", tls.callString("EXISTS", "k"));
            assertEquals(":1\r\n", plain.callString("EXISTS", "k"));
        }
    }

    @Test
    void autoPicksOpenSslWhereItLoads(RedisServer redis) {
        try (LogCapture log = LogCapture.of("io.respite.proxy");
                ProxyFixture fixture = ProxyFixture.start(redis, tlsPort("respite", UnaryOperator.identity()))) {
            assertTrue(log.contains("TLS provider: OpenSSL"), log.lines().toString());
            assertTrue(
                    log.contains("TLS listening on " + fixture.proxy().tlsAddress()),
                    log.lines().toString());
        }
    }

    @Test
    void mutualTlsAdmitsAClientCertificateSignedByTheCa(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.start(redis, mutualTls())) {
            SSLContext withCertificate = ca.issue("client").clientContext(ca);
            assertEquals("+PONG\r\n", fixture.tlsClient(withCertificate).callString("PING"));
        }
    }

    @Test
    void mutualTlsRefusesAClientWithoutACertificate(RedisServer redis) throws IOException {
        try (LogCapture log = LogCapture.of("io.respite.proxy.tls");
                ProxyFixture fixture = ProxyFixture.start(redis, mutualTls())) {
            assertRefused(fixture, ca.clientContext());
            Await.until("the refusal is logged", AWAIT, () -> log.contains("refused"));
            assertTrue(
                    log.lines().stream()
                            .anyMatch(l -> l.startsWith("WARN TLS handshake from client /127.0.0.1:")
                                    && l.contains(" on the TLS port refused: ")),
                    log.lines().toString());
        }
    }

    @Test
    void anExpiredClientCertificateIsRefusedAndLoggedAsExpired(RedisServer redis) throws IOException {
        Instant now = Instant.now();
        SSLContext expired = ca.issue("expired client", now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)))
                .clientContext(ca);
        try (LogCapture log = LogCapture.of("io.respite.proxy.tls");
                ProxyFixture fixture = ProxyFixture.start(redis, mutualTls())) {
            assertRefused(fixture, expired);
            Await.until("the refusal is logged", AWAIT, () -> log.contains("refused: certificate expired"));
        }
    }

    @Test
    void aClientCertificateOfAnotherCaIsRefusedAndLoggedAsNotTrusted(RedisServer redis) throws IOException {
        SSLContext stranger = TestPki.newCa("another CA").issue("stranger").clientContext(ca);
        try (LogCapture log = LogCapture.of("io.respite.proxy.tls");
                ProxyFixture fixture = ProxyFixture.start(redis, mutualTls())) {
            assertRefused(fixture, stranger);
            Await.until("the refusal is logged", AWAIT, () -> log.contains("refused: certificate not trusted"));
        }
    }

    @Test
    void aPlainTextClientOnTheTlsPortIsRefused(RedisServer redis) throws IOException {
        try (LogCapture log = LogCapture.of("io.respite.proxy.tls");
                ProxyFixture fixture = ProxyFixture.start(redis, tlsPort("respite", UnaryOperator.identity()));
                RespTestClient plain = RespTestClient.connect(fixture.proxy().tlsAddress())) {
            plain.send(RespTestClient.encodeCommand("PING"));
            assertTrue(plain.isClosedByPeer(), "closed");
            Await.until("the refusal is logged", AWAIT, () -> log.contains("refused: not TLS"));
        }
    }

    /**
     * The certificate is replaced on disk while a client is connected: that client carries on, and
     * the next handshake presents the new certificate.
     */
    @Test
    void aRotatedCertificateIsPresentedToNewClientsWhileOldOnesCarryOn(RedisServer redis) throws Exception {
        try (LogCapture log = LogCapture.of("io.respite.proxy.tls");
                ProxyFixture fixture = ProxyFixture.start(redis, tlsPort("before", UnaryOperator.identity()))) {
            RespTestClient old = fixture.tlsClient(ca.clientContext());
            assertEquals("CN=before", subject(old));
            assertEquals("+OK\r\n", old.callString("SET", "k", "1"));
            TestPki.Issued after = ca.issue("after");
            after.writeKey(dir.resolve("respite.key"));
            after.writeCertificate(dir.resolve("respite.crt"));
            Await.until("a new handshake presents the new certificate", AWAIT, () -> {
                try (RespTestClient fresh = RespTestClient.connect(
                        fixture.proxy().tlsAddress(), Duration.ofSeconds(5), ca.clientContext())) {
                    return subject(fresh).equals("CN=after");
                }
            });
            assertTrue(
                    log.contains("TLS certificate reloaded from"), log.lines().toString());
            assertEquals("$1\r\n1\r\n", old.callString("GET", "k"), "the old connection survives");
            assertEquals("CN=before", subject(old), "and keeps its session");
        }
    }

    @Test
    void theHttpApiAndTheAdminListenerSpeakHttpsWithTheSameCertificate(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(
                redis, tlsPort("respite", b -> b.httpPort(0).httpTls(true).adminTls(true)))) {
            HttpClient https = HttpClient.newBuilder()
                    .sslContext(ca.clientContext())
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            int httpPort = fixture.proxy().httpAddress().getPort();
            HttpResponse<String> put = https.send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + httpPort + "/keys/k"))
                            .PUT(HttpRequest.BodyPublishers.ofString("over https"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(put.statusCode() / 100 == 2, put.statusCode() + " " + put.body());
            HttpResponse<String> get = https.send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + httpPort + "/keys/k"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("over https", get.body());
            int adminPort = fixture.proxy().adminAddress().getPort();
            HttpResponse<String> health = https.send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + adminPort + "/health"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            assertEquals(
                    "CN=respite",
                    ((X509Certificate) health.sslSession().orElseThrow().getPeerCertificates()[0])
                            .getSubjectX500Principal()
                            .getName());
        }
    }

    /** A TLS port with a certificate for {@code commonName} issued by {@link #ca}, then {@code more}. */
    private UnaryOperator<ProxyConfig.Builder> tlsPort(String commonName, UnaryOperator<ProxyConfig.Builder> more) {
        TestPki.Issued certificate = ca.issue(commonName);
        Path cert = certificate.writeCertificate(dir.resolve("respite.crt"));
        Path key = certificate.writeKey(dir.resolve("respite.key"));
        return b -> more.apply(b.tlsPort(0).tlsCertificate(cert, key));
    }

    /** A TLS port that requires client certificates signed by {@link #ca}. */
    private UnaryOperator<ProxyConfig.Builder> mutualTls() {
        Path caFile = ca.writeCertificate(dir.resolve("clients-ca.crt"));
        return tlsPort("respite", b -> b.tlsCa(caFile));
    }

    /**
     * Asserts that a client with {@code tls} gets no reply: in TLS 1.3 the server checks a client's
     * certificate after the client's side of the handshake is done, so the refusal shows either
     * in the handshake or as the connection closing on the first command.
     */
    private static void assertRefused(ProxyFixture fixture, SSLContext tls) {
        assertThrows(IOException.class, () -> {
            try (RespTestClient client =
                    RespTestClient.connect(fixture.proxy().tlsAddress(), Duration.ofSeconds(5), tls)) {
                client.callString("PING");
            }
        });
    }

    private static String subject(RespTestClient client) throws IOException {
        return ((X509Certificate) client.peerCertificate())
                .getSubjectX500Principal()
                .getName();
    }
}
