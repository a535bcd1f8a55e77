package io.respite.proxy.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.respite.proxy.config.TlsOptions;
import io.respite.proxy.logging.RateLimitedLog;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The server side of TLS, shared by every TLS listener (the TLS RESP port, and the HTTP API and
 * the admin listener when they speak HTTPS): the current {@code SslContext}, built from
 * {@code --tls-cert}, {@code --tls-key} and {@code --tls-ca}, and the watch that rebuilds it when
 * one of those files changes.
 *
 * <p>Design: the watch reads the three files every {@code watchPeriodMillis} and compares a
 * SHA-256 of their bytes with the one loaded, rather than their modification times: a secret
 * mounted by Kubernetes or swapped by a rename can keep its time, and three small files a few
 * seconds apart cost nothing. The context is built from the very bytes that were hashed, so what
 * is loaded is what was compared. A change that does not load (a key written before its
 * certificate, a half-written file) is logged and the current context stays, until the files
 * change again.
 *
 * <p>Concurrency: {@link #context} is volatile, written by the watch thread only and read by the
 * event loops, each accepted connection taking the context in force at that moment: existing
 * connections keep the session they negotiated, new handshakes present the new certificate.
 * {@link #loadedDigest} is touched by the watch thread only (after construction).
 */
public final class ServerTls implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    /** How often the files are compared with what was loaded by default, in milliseconds. */
    public static final long DEFAULT_WATCH_PERIOD_MILLIS = 2_000;

    /** At most one refused-handshake line per kind of reason per period, in seconds. */
    private static final long REFUSAL_LOG_PERIOD_SECONDS = 1;

    private final Path certFile;
    private final Path keyFile;
    private final @Nullable Path caFile;
    private final SslProvider provider;
    private final RateLimitedLog expiredLog =
            new RateLimitedLog(LOG, Level.WARN, REFUSAL_LOG_PERIOD_SECONDS, TimeUnit.SECONDS);
    private final RateLimitedLog untrustedLog =
            new RateLimitedLog(LOG, Level.WARN, REFUSAL_LOG_PERIOD_SECONDS, TimeUnit.SECONDS);
    private final RateLimitedLog otherLog =
            new RateLimitedLog(LOG, Level.WARN, REFUSAL_LOG_PERIOD_SECONDS, TimeUnit.SECONDS);

    private volatile SslContext context;
    private byte[] loadedDigest;
    private @Nullable EventExecutor watcher;

    private ServerTls(TlsOptions options, SslProvider provider) {
        this.certFile = Objects.requireNonNull(options.certFile(), "tls-cert");
        this.keyFile = Objects.requireNonNull(options.keyFile(), "tls-key");
        this.caFile = options.caFile();
        this.provider = provider;
        try {
            Material material = read();
            this.context = material.build();
            this.loadedDigest = material.digest();
            LOG.info("TLS certificate from {}: {}", certFile, material.describe());
        } catch (IOException | RuntimeException | GeneralSecurityException e) {
            throw new IllegalStateException(
                    "cannot use --tls-cert " + certFile + " and --tls-key " + keyFile
                            + (caFile == null ? "" : " and --tls-ca " + caFile) + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * Loads the listeners' certificate and key.
     *
     * @throws IllegalStateException when the files do not hold a usable certificate and key
     */
    public static ServerTls load(TlsOptions options, SslProvider provider) {
        return new ServerTls(options, provider);
    }

    /** Starts re-reading the files every {@code periodMillis}, on a daemon thread of its own. */
    public void watch(long periodMillis) {
        EventExecutor executor = new DefaultEventExecutor(new DefaultThreadFactory("respite-tls-watch", true));
        executor.scheduleWithFixedDelay(this::reloadIfChanged, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        watcher = executor;
    }

    /**
     * Makes {@code ch} a TLS connection: the handler of the current context first, and after it one
     * that logs a refused handshake in words. Call before any other handler is added.
     *
     * @param listener what the connection came to, for the log: {@code the TLS port}
     */
    public void initChannel(Channel ch, String listener) {
        ch.pipeline().addLast(context.newHandler(ch.alloc()), new HandshakeWatch(listener));
    }

    /** Stops the watch. */
    @Override
    public void close() {
        EventExecutor executor = watcher;
        if (executor != null) {
            executor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Rebuilds the context when the files' bytes changed; keeps the current one when they do not load. */
    void reloadIfChanged() {
        Material material;
        try {
            material = read();
        } catch (IOException e) {
            LOG.warn("cannot read the TLS files ({}); the current certificate stays", e.toString());
            return;
        }
        if (Arrays.equals(material.digest(), loadedDigest)) {
            return;
        }
        loadedDigest = material.digest();
        try {
            context = material.build();
            LOG.info("TLS certificate reloaded from {}: {}; new handshakes use it", certFile, material.describe());
        } catch (SSLException | GeneralSecurityException | RuntimeException e) {
            LOG.warn(
                    "TLS files changed but do not load ({}); the current certificate stays until they change again",
                    e.getMessage());
        }
    }

    private Material read() throws IOException {
        return new Material(
                Files.readAllBytes(certFile),
                Files.readAllBytes(keyFile),
                caFile == null ? null : Files.readAllBytes(caFile));
    }

    /** The bytes of the three files, as read at one moment. */
    private final class Material {
        private final byte[] cert;
        private final byte[] key;
        private final byte @Nullable [] ca;

        Material(byte[] cert, byte[] key, byte @Nullable [] ca) {
            this.cert = cert;
            this.key = key;
            this.ca = ca;
        }

        byte[] digest() {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(cert);
                sha.update(key);
                if (ca != null) {
                    sha.update(ca);
                }
                return sha.digest();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-256", e);
            }
        }

        SslContext build() throws SSLException, GeneralSecurityException {
            KeyMatch.check(leaf().getPublicKey(), key);
            SslContextBuilder builder = SslContextBuilder.forServer(
                            new ByteArrayInputStream(cert), new ByteArrayInputStream(key))
                    .sslProvider(provider);
            if (ca != null) {
                builder.trustManager(new ByteArrayInputStream(ca)).clientAuth(ClientAuth.REQUIRE);
            }
            return builder.build();
        }

        /** The first certificate of the chain: respite's own. */
        X509Certificate leaf() throws CertificateException {
            return (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(cert));
        }

        /** The leaf certificate's subject and validity, for the log. */
        String describe() throws CertificateException {
            X509Certificate leaf = leaf();
            return "subject " + leaf.getSubjectX500Principal().getName() + ", valid until " + leaf.getNotAfter()
                    + (ca == null ? "" : "; client certificates required");
        }
    }

    /** Logs a refused handshake once in words, and keeps its exception from the handlers behind. */
    private final class HandshakeWatch extends ChannelInboundHandlerAdapter {

        private final String listener;

        HandshakeWatch(String listener) {
            this.listener = listener;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                if (done.isSuccess()) {
                    ctx.pipeline().remove(this);
                } else {
                    refused(ctx.channel(), TlsFailure.describe(done.cause()));
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        /** A TLS error ends the connection (the SSL handler closes it); the session behind need not hear it. */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (TlsFailure.isTls(cause)) {
                LOG.debug("TLS error from {} on {}: {}", ctx.channel().remoteAddress(), listener, cause.toString());
                ctx.close();
            } else {
                ctx.fireExceptionCaught(cause);
            }
        }

        private void refused(Channel ch, String reason) {
            String lower = reason.toLowerCase(Locale.ROOT);
            RateLimitedLog log = lower.startsWith("certificate expired")
                    ? expiredLog
                    : lower.startsWith("certificate not trusted") ? untrustedLog : otherLog;
            log.log("TLS handshake from client " + ch.remoteAddress() + " on " + listener + " refused: " + reason);
        }
    }
}
