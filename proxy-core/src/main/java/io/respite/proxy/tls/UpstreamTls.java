package io.respite.proxy.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.respite.proxy.config.TlsOptions;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of TLS to a {@code rediss://} upstream: one {@code SslContext} for every
 * upstream connection (shared lanes, dedicated, out-of-band, subscriber and tracking connections
 * alike), which checks the upstream's certificate against {@code --upstream-tls-ca} (or the JVM's
 * trusted CAs) and its host name, and presents {@code --upstream-tls-cert} when given. Each
 * connection's handler sends the upstream's host name as SNI. Stateless.
 */
public final class UpstreamTls {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamTls.class);

    private UpstreamTls() {}

    /**
     * The context for upstream connections.
     *
     * @throws IllegalStateException when a certificate, key or CA file cannot be used
     */
    public static SslContext context(TlsOptions options, SslProvider provider) {
        if (options.upstreamInsecure()) {
            LOG.warn("--upstream-tls-insecure: the upstream's certificate and host name are NOT checked; anyone on "
                    + "the path can read and change the traffic. For tests only.");
        }
        Path ca = options.upstreamCaFile();
        Path cert = options.upstreamCertFile();
        Path key = options.upstreamKeyFile();
        try {
            SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(provider);
            if (options.upstreamInsecure()) {
                builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
            } else {
                if (ca != null) {
                    builder.trustManager(ca.toFile());
                }
                builder.endpointIdentificationAlgorithm("HTTPS");
            }
            if (cert != null && key != null) {
                builder.keyManager(cert.toFile(), key.toFile());
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException(
                    "cannot use the upstream's TLS files (--upstream-tls-ca, --upstream-tls-cert, "
                            + "--upstream-tls-key): " + e.getMessage(),
                    e);
        }
    }
}
