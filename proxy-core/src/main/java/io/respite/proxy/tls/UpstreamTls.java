package io.respite.proxy.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.respite.proxy.config.TlsOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of TLS to an upstream over TLS ({@code rediss://}, {@code rediss-cluster://},
 * {@code rediss-sentinel://}): one {@code SslContext} for every upstream connection respite opens
 * (shared lanes, dedicated, out-of-band, subscriber and tracking connections alike, to every node
 * of a cluster and to whichever primary the sentinels name), which checks the upstream's
 * certificate against {@code --upstream-tls-ca} (or the JVM's trusted CAs) and its host name, and
 * presents {@code --upstream-tls-cert} when given. Each connection's handler sends the upstream's
 * host name as SNI. The connections Lettuce opens (a cluster's topology, the sentinels) get the
 * same settings as {@link LettuceTls}.
 *
 * <p>The files are read once, at {@link #load}: Lettuce builds a context of its own per
 * connection, from the bytes read then, so every connection presents and trusts the same
 * certificates however the files change later. Immutable.
 */
public final class UpstreamTls {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamTls.class);

    private final SslProvider provider;
    private final boolean insecure;
    private final byte @Nullable [] ca;
    private final byte @Nullable [] cert;
    private final byte @Nullable [] key;
    private final SslContext context;

    private UpstreamTls(TlsOptions options, SslProvider provider) throws IOException {
        this.provider = provider;
        this.insecure = options.upstreamInsecure();
        this.ca = read(options.upstreamCaFile());
        Path certFile = options.upstreamCertFile();
        Path keyFile = options.upstreamKeyFile();
        boolean pair = certFile != null && keyFile != null;
        this.cert = pair ? read(certFile) : null;
        this.key = pair ? read(keyFile) : null;
        SslContextBuilder builder = SslContextBuilder.forClient();
        configure(builder);
        this.context = builder.build();
    }

    /**
     * Reads the upstream's TLS files and makes the context of respite's connections.
     *
     * @throws IllegalStateException when a certificate, key or CA file cannot be used
     */
    public static UpstreamTls load(TlsOptions options, SslProvider provider) {
        if (options.upstreamInsecure()) {
            LOG.warn("--upstream-tls-insecure: the upstream's certificate and host name are NOT checked; anyone on "
                    + "the path can read and change the traffic. For tests only.");
        }
        try {
            return new UpstreamTls(options, provider);
        } catch (IOException | IllegalArgumentException e) {
            // SSLException is an IOException: a file that does not parse, as one that cannot be read.
            throw new IllegalStateException(
                    "cannot use the upstream's TLS files (--upstream-tls-ca, --upstream-tls-cert, "
                            + "--upstream-tls-key): " + e.getMessage(),
                    e);
        }
    }

    private static byte @Nullable [] read(@Nullable Path file) throws IOException {
        return file == null ? null : Files.readAllBytes(file);
    }

    /** The context of every connection respite opens to the upstream. */
    public SslContext context() {
        return context;
    }

    /** The same settings for Lettuce's connections, whose handshakes may take {@code timeout}. */
    public LettuceTls lettuce(Duration timeout) {
        return new LettuceTls(this::configure, insecure, timeout);
    }

    /**
     * Sets {@code builder} (a client's) up as every upstream connection's context is: the provider,
     * the CA and host name check (or none, insecure), the client certificate. Safe from any thread.
     *
     * @throws IllegalArgumentException when the files' bytes do not hold certificates or a key
     */
    private void configure(SslContextBuilder builder) {
        builder.sslProvider(provider);
        if (insecure) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
            if (ca != null) {
                builder.trustManager(new ByteArrayInputStream(ca));
            }
            builder.endpointIdentificationAlgorithm("HTTPS");
        }
        if (cert != null && key != null) {
            builder.keyManager(new ByteArrayInputStream(cert), new ByteArrayInputStream(key));
        }
    }
}
