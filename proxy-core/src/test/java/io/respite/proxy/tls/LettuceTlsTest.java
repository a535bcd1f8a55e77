package io.respite.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.respite.proxy.config.TlsOptions;
import io.respite.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS Lettuce's connections get (a cluster's topology, the sentinels): the same files (read
 * once) and checks as respite's own, the host name checked unless insecure, and nothing for a
 * plain upstream.
 */
class LettuceTlsTest {

    @TempDir
    Path dir;

    private final TestPki.Ca ca = TestPki.newCa("lettuce test CA");

    @Test
    void aPlainUpstreamChangesNothing() {
        RedisURI uri = LettuceTls.PLAIN.uri(RedisURI.builder().withHost("h")).build();
        assertFalse(uri.isSsl());
        ClientOptions options = LettuceTls.PLAIN.client(ClientOptions.builder()).build();
        assertSame(ClientOptions.DEFAULT_SSL_OPTIONS, options.getSslOptions());
    }

    @Test
    void theUpstreamsFilesAndTheHostNameCheckGoToLettuce() throws Exception {
        TestPki.Issued respite = ca.issue("respite");
        Path caFile = ca.writeCertificate(dir.resolve("ca.crt"));
        TlsOptions options = upstream(
                caFile,
                respite.writeCertificate(dir.resolve("respite.crt")),
                respite.writeKey(dir.resolve("respite.key")),
                false);
        LettuceTls tls = UpstreamTls.load(options, SslProvider.JDK).lettuce(Duration.ofSeconds(3));
        // Read once, at load: Lettuce's later connections do not see the files change.
        Files.writeString(caFile, "not a certificate any more");
        RedisURI uri = tls.uri(RedisURI.builder().withHost("h")).build();
        assertTrue(uri.isSsl());
        assertEquals(SslVerifyMode.FULL, uri.getVerifyMode());
        SslOptions ssl = tls.client(ClientOptions.builder()).build().getSslOptions();
        assertNotSame(ClientOptions.DEFAULT_SSL_OPTIONS, ssl);
        assertEquals(Duration.ofSeconds(3), ssl.getHandshakeTimeout());
        SslContext context = ssl.createSslContextBuilder().build();
        SSLEngine engine = context.newEngine(UnpooledByteBufAllocator.DEFAULT);
        assertTrue(engine.getUseClientMode());
        assertEquals(
                "HTTPS",
                engine.getSSLParameters().getEndpointIdentificationAlgorithm(),
                "respite's own settings, applied by Lettuce");
    }

    @Test
    void insecureTurnsEveryCheckOff() {
        LettuceTls tls = UpstreamTls.load(upstream(null, null, null, true), SslProvider.JDK)
                .lettuce(Duration.ofSeconds(3));
        RedisURI uri = tls.uri(RedisURI.builder().withHost("h")).build();
        assertTrue(uri.isSsl());
        assertEquals(SslVerifyMode.NONE, uri.getVerifyMode());
    }

    private static TlsOptions upstream(Path ca, Path cert, Path key, boolean insecure) {
        return new TlsOptions(-1, null, null, null, false, false, TlsOptions.Provider.JDK, ca, cert, key, insecure);
    }
}
