package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 50 MiB value PUT and read back over HTTP by a respite whose memory could not hold it twice:
 * a 48 MB heap (so no copy of the value may land on it at all) and 128 MB of direct memory for
 * the network buffers (the body on its way up and the reply on its way down, each held once).
 * In a child JVM, so that its limits are its own; it exits on the first OutOfMemoryError.
 */
@ExtendWith(RedisExtension.class)
class HttpLargeValueIT {

    private static final int VALUE_BYTES = 50 * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void aFiftyMebibyteValueRoundTripsWithBoundedMemory(RedisServer redis) throws Exception {
        int port = freePort();
        int httpPort = freePort();
        Process respite = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx48m",
                        "-XX:MaxDirectMemorySize=128m",
                        "-XX:+ExitOnOutOfMemoryError",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "--port",
                        Integer.toString(port),
                        "--http-port",
                        Integer.toString(httpPort),
                        "--upstream",
                        redis.uri(),
                        "--max-memory",
                        "8mb",
                        "--io-threads",
                        "2"))
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        try {
            byte[] value = new byte[VALUE_BYTES];
            new Random(42).nextBytes(value);
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + httpPort + "/keys/blob");
            Await.until("the HTTP API answers", Duration.ofSeconds(30), () -> {
                try {
                    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 404;
                } catch (IOException notYet) {
                    return false;
                }
            });
            HttpResponse<String> put = http.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(60))
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(value))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, put.statusCode(), put.body() + log());
            for (int round = 0; round < 2; round++) {
                HttpResponse<InputStream> get = http.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(60))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, get.statusCode(), log());
                assertEquals(
                        String.valueOf(VALUE_BYTES),
                        get.headers().firstValue("content-length").orElse(""));
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                try (InputStream body = get.body()) {
                    byte[] buffer = new byte[64 * 1024];
                    long total = 0;
                    for (int n; (n = body.read(buffer)) > 0; ) {
                        digest.update(buffer, 0, n);
                        total += n;
                    }
                    assertEquals(VALUE_BYTES, total);
                }
                assertArrayEquals(
                        MessageDigest.getInstance("SHA-256").digest(value), digest.digest(), "round " + round);
            }
            assertEquals(":" + VALUE_BYTES + "\r\n", redis.callString("STRLEN", "blob"));
            assertTrue(respite.isAlive(), log());
        } finally {
            respite.destroy();
            assertTrue(respite.waitFor(30, TimeUnit.SECONDS));
        }
    }

    private String log() throws IOException {
        return "\nrespite's log:\n" + Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
