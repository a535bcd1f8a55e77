package io.respite.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * How a test {@code redis-server} speaks TLS, and only TLS ({@code --port 0}): its certificate and
 * key, the CA its clients' certificates must be signed by, and a client context it accepts.
 *
 * @param certFile      the server's PEM certificate
 * @param keyFile       the server's PEM private key
 * @param caFile        the PEM CA that signed the server's certificate and that client certificates must
 *                      chain to (Redis's {@code tls-auth-clients yes} by default)
 * @param clientContext a test client's context: trusts the CA and presents a certificate it signed
 */
public record RedisTls(Path certFile, Path keyFile, Path caFile, SSLContext clientContext) {

    /**
     * Issues a server certificate and a client certificate from {@code ca} and writes the server's
     * files into {@code dir}.
     */
    public static RedisTls issue(TestPki.Ca ca, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestPki.Issued server = ca.issue("redis-server");
        TestPki.Issued client = ca.issue("test-client");
        return new RedisTls(
                server.writeCertificate(dir.resolve("redis.crt")),
                server.writeKey(dir.resolve("redis.key")),
                ca.writeCertificate(dir.resolve("redis-ca.crt")),
                client.clientContext(ca));
    }

    /** The same server files, with another client context. */
    public RedisTls withClientContext(SSLContext context) {
        return new RedisTls(certFile, keyFile, caFile, context);
    }

    /** The {@code redis-server} arguments: TLS on {@code port}, no plain port. */
    List<String> args(int port) {
        return List.of(
                "--port",
                "0",
                "--tls-port",
                Integer.toString(port),
                "--tls-cert-file",
                certFile.toString(),
                "--tls-key-file",
                keyFile.toString(),
                "--tls-ca-cert-file",
                caFile.toString());
    }
}
