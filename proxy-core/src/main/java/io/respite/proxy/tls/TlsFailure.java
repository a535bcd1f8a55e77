package io.respite.proxy.tls;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * What went wrong in a TLS handshake, in words an operator acts on: "certificate expired",
 * "certificate not trusted", rather than a provider's exception chain, whose shape differs between
 * OpenSSL and the JDK. Stateless.
 */
public final class TlsFailure {

    /** An unknown issuer, whichever provider found it: the raw messages name JDK internals. */
    private static final String NOT_TRUSTED = "certificate not trusted (no chain to a trusted CA)";

    private TlsFailure() {}

    /** Whether {@code failure} or one of its causes is a TLS error. */
    public static boolean isTls(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The reason a handshake failed: the certificate problem found anywhere in the cause chain, or
     * else the innermost TLS error's message.
     */
    public static String describe(Throwable failure) {
        String innermost = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException) {
                return "certificate expired (" + t.getMessage() + ")";
            }
            if (t instanceof CertificateNotYetValidException) {
                return "certificate not yet valid (" + t.getMessage() + ")";
            }
            if (t instanceof CertPathValidatorException || t instanceof CertPathBuilderException) {
                return notTrusted(t);
            }
            String message = t.getMessage();
            if (message != null) {
                String words = fromMessage(message);
                if (words != null) {
                    return words;
                }
                innermost = message;
            }
        }
        return innermost == null ? failure.getClass().getSimpleName() : innermost;
    }

    /** Providers that flatten the chain still say it in the message. */
    private static @Nullable String fromMessage(String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("certificate_expired") || lower.contains("certificate expired")) {
            return "certificate expired (" + message + ")";
        }
        if (lower.contains("unable to find valid certification path")
                || lower.contains("unknown_ca")
                || lower.contains("certificate_unknown")) {
            return NOT_TRUSTED;
        }
        if (lower.contains("certificate_required") || lower.contains("peer_did_not_return_a_certificate")) {
            return "no client certificate (" + message + ")";
        }
        if (lower.contains("not an ssl/tls record")) {
            return "not TLS (a plain-text client on a TLS port?)";
        }
        if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
            return "certificate does not match the host name (" + message + ")";
        }
        return null;
    }

    private static String notTrusted(Throwable t) {
        String message = String.valueOf(t.getMessage());
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("validity check failed") || lower.contains("expired")) {
            return "certificate expired (" + message + ")";
        }
        return NOT_TRUSTED;
    }
}
