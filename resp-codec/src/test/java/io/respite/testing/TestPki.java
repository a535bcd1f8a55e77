package io.respite.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificate authorities and certificates made at test time, written as PEM files (what respite
 * and redis-server read) and offered as {@link SSLContext}s (what a test's own client uses).
 * Nothing is checked in: every run has fresh keys, and a test can make what a fixed file cannot,
 * such as a certificate that expired yesterday.
 *
 * <p>BouncyCastle's PKIX module issues the certificates: the JDK can verify X.509 but has no
 * public API to write it, and doing it in-process needs no {@code openssl} binary and controls
 * validity to the second. Keys are EC P-256: fast to generate, and every provider speaks them.
 */
public final class TestPki {

    private static final String SIGNATURE = "SHA256withECDSA";
    private static final char[] NO_PASSWORD = new char[0];
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    private TestPki() {}

    /** A new self-signed CA named {@code name}, valid from an hour ago for a day. */
    public static Ca newCa(String name) {
        KeyPair keys = newKeyPair();
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject,
                BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))),
                subject,
                keys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Ca(name, keys, sign(builder, keys));
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer) {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuer.getPrivate())));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM text of certificates, or of a private key as PKCS#8 (what Netty's JDK provider reads). */
    private static String pem(Object... objects) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** A certificate authority: issues certificates, and is trusted by contexts made from it. */
    public static final class Ca {
        private final String name;
        private final KeyPair keys;
        private final X509Certificate certificate;

        private Ca(String name, KeyPair keys, X509Certificate certificate) {
            this.name = name;
            this.keys = keys;
            this.certificate = certificate;
        }

        public X509Certificate certificate() {
            return certificate;
        }

        /**
         * A certificate for {@code commonName}, valid from an hour ago for a day, for the names
         * {@code localhost} and {@code 127.0.0.1} (server and client use alike).
         */
        public Issued issue(String commonName) {
            Instant now = Instant.now();
            return issue(commonName, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
        }

        /** A certificate for {@code commonName}, valid from {@code notBefore} to {@code notAfter}. */
        public Issued issue(String commonName, Instant notBefore, Instant notAfter) {
            KeyPair leafKeys = newKeyPair();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    new X500Name("CN=" + name),
                    BigInteger.valueOf(SERIALS.incrementAndGet()),
                    Date.from(notBefore),
                    Date.from(notAfter),
                    new X500Name("CN=" + commonName),
                    leafKeys.getPublic());
            try {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                }));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Issued(this, leafKeys, sign(builder, keys));
        }

        /** Writes the CA's certificate as PEM to {@code file}; returns it. */
        public Path writeCertificate(Path file) {
            return write(file, pem(certificate));
        }

        /** A server context that presents {@code own} and trusts this CA for client certificates. */
        public SSLContext serverContext(Issued own) {
            return context(own);
        }

        /** A client context that trusts this CA only and presents no certificate. */
        public SSLContext clientContext() {
            return context(null);
        }

        /** A context that trusts this CA only and presents {@code own}, or nothing when null. */
        SSLContext context(Issued own) {
            try {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                trust.setCertificateEntry("ca", certificate);
                TrustManagerFactory trustManagers =
                        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trustManagers.init(trust);
                return TestPki.context(own, trustManagers.getTrustManagers());
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A context that presents {@code own} (nothing when null) and trusts as {@code trust} does. */
    private static SSLContext context(Issued own, TrustManager[] trust) {
        try {
            KeyManager[] keyManagers = null;
            if (own != null) {
                KeyStore keyStore = KeyStore.getInstance("PKCS12");
                keyStore.load(null, null);
                keyStore.setKeyEntry(
                        "own", own.keys.getPrivate(), NO_PASSWORD, new X509Certificate[] {own.certificate});
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(keyStore, NO_PASSWORD);
                keyManagers = new KeyManager[] {new Presenting((X509ExtendedKeyManager) factory.getKeyManagers()[0])};
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trust, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trusts every server: only for reaching a server whose certificate respite is meant to refuse. */
    private static final class AnyServer implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("a client's trust manager");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // Any server.
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /**
     * Presents the one certificate it holds whatever CAs the server asks for: the JDK's own key
     * manager would send none to a server whose CA did not sign it, and a test of a refused
     * certificate needs one sent.
     */
    private static final class Presenting extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;

        Presenting(X509ExtendedKeyManager keys) {
            this.keys = keys;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"own"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "own";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "own";
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return keys.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return keys.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    /** A certificate and its key, issued by a {@link Ca}. */
    public static final class Issued {
        private final Ca issuer;
        private final KeyPair keys;
        private final X509Certificate certificate;

        private Issued(Ca issuer, KeyPair keys, X509Certificate certificate) {
            this.issuer = issuer;
            this.keys = keys;
            this.certificate = certificate;
        }

        public X509Certificate certificate() {
            return certificate;
        }

        /** Writes the certificate as PEM to {@code file}; returns it. */
        public Path writeCertificate(Path file) {
            return write(file, pem(certificate));
        }

        /** Writes the private key as PKCS#8 PEM to {@code file}; returns it. */
        public Path writeKey(Path file) {
            try {
                return write(file, pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * A client context that presents this certificate and accepts any server's: for a test
         * that must reach a server whose certificate is meant to be refused by respite.
         */
        public SSLContext clientContextTrustingAnyServer() {
            return context(this, new TrustManager[] {new AnyServer()});
        }

        /** A client context that presents this certificate and trusts {@code trusted} only. */
        public SSLContext clientContext(Ca trusted) {
            return trusted.context(this);
        }

        /** The CA that issued this certificate. */
        public Ca issuer() {
            return issuer;
        }
    }

    private static Path write(Path file, String text) {
        try {
            // Through a temporary file and a rename, as a rotation tool writes it: a reader never
            // sees half a file.
            Path partial = Files.writeString(
                    file.resolveSibling(file.getFileName() + ".partial"), text, StandardCharsets.US_ASCII);
            return Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
