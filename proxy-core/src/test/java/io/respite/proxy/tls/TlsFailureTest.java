package io.respite.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateExpiredException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The words for a failed handshake, from the chains the JDK and OpenSSL providers throw. */
class TlsFailureTest {

    @Test
    void anExpiredCertificateAnywhereInTheChain() {
        SSLHandshakeException jdk = new SSLHandshakeException("PKIX path validation failed");
        jdk.initCause(new CertificateExpiredException("NotAfter: Sun Dec 06 02:00:00 UTC 2026"));
        assertEquals(
                "certificate expired (NotAfter: Sun Dec 06 02:00:00 UTC 2026)",
                TlsFailure.describe(new DecoderException(jdk)));
        assertEquals(
                "certificate expired (error:10000415:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED)",
                TlsFailure.describe(new SSLHandshakeException(
                        "error:10000415:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED")));
    }

    @Test
    void anUnknownIssuerIsNotTrustedWithoutTheJdksInternals() {
        SSLHandshakeException jdk = new SSLHandshakeException("PKIX path building failed");
        jdk.initCause(new CertPathBuilderException("unable to find valid certification path to requested target"));
        assertEquals("certificate not trusted (no chain to a trusted CA)", TlsFailure.describe(jdk));
        assertEquals(
                "certificate not trusted (no chain to a trusted CA)",
                TlsFailure.describe(new SSLHandshakeException(
                        "error:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA")));
    }

    @Test
    void otherFailuresKeepTheProvidersWords() {
        assertEquals(
                "no client certificate (error:100000c0:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE)",
                TlsFailure.describe(new SSLHandshakeException(
                        "error:100000c0:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE")));
        assertEquals(
                "not TLS (a plain-text client on a TLS port?)",
                TlsFailure.describe(new DecoderException(new SSLException("not an SSL/TLS record: 2a310d0a"))));
        assertEquals("handshake timed out", TlsFailure.describe(new SSLHandshakeException("handshake timed out")));
    }

    @Test
    void onlyTlsErrorsAreTls() {
        assertTrue(TlsFailure.isTls(new DecoderException(new SSLHandshakeException("x"))));
        assertFalse(TlsFailure.isTls(new IOException("Connection reset by peer")));
    }
}
