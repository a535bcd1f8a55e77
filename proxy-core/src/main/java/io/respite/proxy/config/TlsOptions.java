package io.respite.proxy.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * TLS: for clients (a TLS port next to the plain one, and optionally the HTTP API and the admin
 * listener, all with one certificate and key) and to the upstream ({@code rediss://},
 * {@code rediss-cluster://}, {@code rediss-sentinel://}: every node and sentinel alike).
 *
 * <p>One certificate for every listener because respite is one service with one name: a second
 * pair of files would be a second thing to rotate and get wrong. {@code tls-ca}, when set, makes
 * every TLS listener require a client certificate signed by it.
 *
 * @param port               TCP port of the TLS RESP listener, 0 picks a free one; -1 when there is none
 * @param certFile           PEM certificate chain the listeners present, or null
 * @param keyFile            PEM (PKCS#8) private key of {@code certFile}, or null
 * @param caFile             PEM CA certificates client certificates must chain to, or null for no client
 *                           certificates
 * @param http               whether the HTTP API speaks HTTPS
 * @param admin              whether the admin listener speaks HTTPS
 * @param provider           which TLS implementation to use
 * @param upstreamCaFile     PEM CA certificates the upstream's certificate must chain to, or null for the
 *                           JVM's trusted CAs
 * @param upstreamCertFile   PEM certificate chain respite presents to the upstream, or null
 * @param upstreamKeyFile    PEM (PKCS#8) private key of {@code upstreamCertFile}, or null
 * @param upstreamInsecure   whether the upstream's certificate and host name go unchecked (tests only)
 */
public record TlsOptions(
        int port,
        @Nullable Path certFile,
        @Nullable Path keyFile,
        @Nullable Path caFile,
        boolean http,
        boolean admin,
        Provider provider,
        @Nullable Path upstreamCaFile,
        @Nullable Path upstreamCertFile,
        @Nullable Path upstreamKeyFile,
        boolean upstreamInsecure) {

    /** No TLS anywhere. */
    public static final TlsOptions OFF =
            new TlsOptions(-1, null, null, null, false, false, Provider.AUTO, null, null, null, false);

    /** Which TLS implementation respite uses, for clients and upstream alike. */
    public enum Provider {
        /** OpenSSL (netty-tcnative's BoringSSL) where its native library loads, else the JDK's. */
        AUTO,
        /** OpenSSL, or respite does not start. */
        OPENSSL,
        /** The JDK's own. */
        JDK;

        static Provider parse(String option, String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "openssl" -> OPENSSL;
                case "jdk" -> JDK;
                default -> throw ConfigException.invalid(option, text, "auto, openssl or jdk");
            };
        }
    }

    /**
     * Validates each file (readable) and the options that go together: a key with its
     * certificate, and a certificate for any listener that serves TLS.
     */
    public TlsOptions {
        Objects.requireNonNull(provider, "provider");
        if (port < -1 || port > 65535) {
            throw ConfigException.invalid("tls-port", port, "an integer from 0 to 65535, or none");
        }
        readable("tls-cert", certFile);
        readable("tls-key", keyFile);
        readable("tls-ca", caFile);
        readable("upstream-tls-ca", upstreamCaFile);
        readable("upstream-tls-cert", upstreamCertFile);
        readable("upstream-tls-key", upstreamKeyFile);
        pair("tls-cert", certFile, "tls-key", keyFile);
        pair("upstream-tls-cert", upstreamCertFile, "upstream-tls-key", upstreamKeyFile);
        if (certFile == null) {
            String needing = port >= 0 ? "tls-port" : http ? "http-tls" : admin ? "admin-tls" : null;
            if (needing != null) {
                throw ConfigException.invalid(needing, needing.equals("tls-port") ? port : "yes", "with tls-cert");
            }
        } else if (port < 0 && !http && !admin) { // not listening(): the fields are not assigned yet
            throw ConfigException.invalid("tls-cert", certFile, "with tls-port, http-tls or admin-tls");
        }
        if (caFile != null && certFile == null) {
            throw ConfigException.invalid("tls-ca", caFile, "with tls-cert and a TLS listener");
        }
        if (upstreamInsecure && upstreamCaFile != null) {
            throw ConfigException.invalid("upstream-tls-insecure", "yes", "no with upstream-tls-ca");
        }
    }

    /** Whether some listener serves TLS. */
    public boolean listening() {
        return port >= 0 || http || admin;
    }

    /** Whether any of the upstream's TLS options is set: they need an upstream over TLS ({@code rediss...://}). */
    boolean upstreamConfigured() {
        return upstreamCaFile != null || upstreamCertFile != null || upstreamInsecure;
    }

    /** The name of the first upstream TLS option set, for an error message; call when one is. */
    String firstUpstreamOption() {
        return upstreamCaFile != null
                ? "upstream-tls-ca"
                : upstreamCertFile != null ? "upstream-tls-cert" : "upstream-tls-insecure";
    }

    private static void readable(String option, @Nullable Path file) {
        if (file != null && (!Files.isRegularFile(file) || !Files.isReadable(file))) {
            throw ConfigException.invalid(option, file, "a readable file");
        }
    }

    /** A key without its certificate, or a certificate without its key, names the one given. */
    private static void pair(String certOption, @Nullable Path cert, String keyOption, @Nullable Path key) {
        if (cert == null && key != null) {
            throw ConfigException.invalid(keyOption, key, "with " + certOption);
        }
        if (cert != null && key == null) {
            throw ConfigException.invalid(certOption, cert, "with " + keyOption);
        }
    }
}
