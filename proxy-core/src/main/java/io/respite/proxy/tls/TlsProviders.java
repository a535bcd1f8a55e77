package io.respite.proxy.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.respite.proxy.config.TlsOptions;

/**
 * Picks the TLS implementation: OpenSSL through netty-tcnative's statically linked BoringSSL where
 * its native library loads (fewer CPU cycles per byte and per handshake than the JDK's), the JDK's
 * provider otherwise, or the one {@code --tls-provider} forces. Stateless.
 */
public final class TlsProviders {

    private TlsProviders() {}

    /**
     * The provider for {@code wanted}.
     *
     * @throws IllegalStateException when OpenSSL is forced and its native library does not load
     */
    public static SslProvider choose(TlsOptions.Provider wanted) {
        return switch (wanted) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalStateException(
                            "--tls-provider openssl: OpenSSL (netty-tcnative) is not available here: "
                                    + OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    /** The provider in words for the start-up log, with why OpenSSL is not used when it is not. */
    public static String describe(SslProvider provider, TlsOptions.Provider wanted) {
        if (provider != SslProvider.JDK) {
            return "OpenSSL (" + OpenSsl.versionString() + " through netty-tcnative)";
        }
        String jdk = "the JDK's (Java " + Runtime.version().feature() + ")";
        if (wanted == TlsOptions.Provider.JDK) {
            return jdk + ", as --tls-provider jdk asks";
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        return jdk + ", OpenSSL is not available: " + (cause == null ? "unknown reason" : cause.getMessage());
    }
}
