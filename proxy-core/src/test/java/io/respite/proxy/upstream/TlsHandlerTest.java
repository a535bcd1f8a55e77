package io.respite.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.respite.proxy.config.TlsOptions;
import io.respite.proxy.tls.TlsProviders;
import io.respite.proxy.tls.UpstreamTls;
import io.respite.resp.RespLimits;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The TLS handler every upstream connection gets: SNI and the host name check for the upstream's
 * host, the handshake bounded by {@code --timeout}; none for a plain upstream. (An end-to-end check
 * of SNI would need a dotted host name resolving to loopback, which test machines lack: clients
 * send no SNI for {@code localhost} or an IP address.)
 */
class TlsHandlerTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = TlsOptions.Provider.class,
            names = {"OPENSSL", "JDK"})
    void theUpstreamHostIsTheServerNameAndIsChecked(TlsOptions.Provider provider) {
        SslContext context =
                UpstreamTls.load(TlsOptions.OFF, TlsProviders.choose(provider)).context();
        SslHandler handler = UpstreamConnection.tlsHandler(settings("redis.example.com", context), alloc());
        assertNotNull(handler);
        SSLEngine engine = handler.engine();
        try {
            assertEquals(
                    List.of(new SNIHostName("redis.example.com")),
                    engine.getSSLParameters().getServerNames());
            assertEquals("HTTPS", engine.getSSLParameters().getEndpointIdentificationAlgorithm());
            assertEquals(3_000, handler.getHandshakeTimeoutMillis());
        } finally {
            ReferenceCountUtil.release(engine);
        }
    }

    @Test
    void aPlainUpstreamHasNoHandler() {
        assertNull(UpstreamConnection.tlsHandler(settings("redis.example.com", null), alloc()));
    }

    private static UnpooledByteBufAllocator alloc() {
        return UnpooledByteBufAllocator.DEFAULT;
    }

    private static UpstreamSettings settings(String host, SslContext tls) {
        return new UpstreamSettings(
                host,
                6380,
                null,
                null,
                0,
                Duration.ofSeconds(3),
                RespLimits.DEFAULT,
                NioSocketChannel.class,
                10,
                2,
                Duration.ofSeconds(60),
                tls);
    }
}
