package io.respite.proxy.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Whether a private key belongs to a certificate: signs a few bytes with the key and verifies them
 * with the certificate's public key. A rotation writes two files, and a reader between the two
 * writes sees a new key with the old certificate; neither provider notices when the context is
 * built, only every handshake after would fail. Stateless.
 */
final class KeyMatch {

    /** A PKCS#8 key in PEM, the form the option asks for. */
    private static final Pattern PKCS8 =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private static final byte[] CHALLENGE = "respite key check".getBytes(StandardCharsets.US_ASCII);

    private KeyMatch() {}

    /**
     * Throws when {@code keyPem} holds a PKCS#8 key of an algorithm the JDK knows that does not
     * belong to {@code certificate}'s public key; a key it cannot read is left for the provider to
     * judge.
     *
     * @throws GeneralSecurityException naming the mismatch
     */
    static void check(PublicKey certificate, byte[] keyPem) throws GeneralSecurityException {
        PrivateKey key = pkcs8(certificate.getAlgorithm(), new String(keyPem, StandardCharsets.US_ASCII));
        String algorithm = signatureAlgorithm(certificate.getAlgorithm());
        if (key == null || algorithm == null) {
            return;
        }
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(CHALLENGE);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificate);
        verifier.update(CHALLENGE);
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException("the private key does not belong to the certificate");
        }
    }

    private static @Nullable PrivateKey pkcs8(String algorithm, String pem) {
        Matcher m = PKCS8.matcher(pem);
        if (!m.find()) {
            return null;
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return null; // another algorithm than the certificate's: the signature check cannot tell more
        }
    }

    private static @Nullable String signatureAlgorithm(String keyAlgorithm) {
        return switch (keyAlgorithm) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
    }
}
