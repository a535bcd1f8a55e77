package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * respite as the launcher ({@code scripts/respite}) starts it, with a full cache: its resident
 * memory stays within the README's bound, {@code 2 × --max-memory + 256 MB}. Without the
 * launcher's sizing the JVM took a quarter of the machine for its heap, and a 64 MB cache cost
 * 660 MB.
 */
@ExtendWith(RedisExtension.class)
class MemorySizingIT {

    private static final long MAX_MEMORY_MB = 64;
    /** The README's bound on resident memory, in MB. */
    private static final long RSS_BOUND_MB = 2 * MAX_MEMORY_MB + 256;
    /** Values stored and read: 100k of 1 KB, half again more than the cache holds. */
    private static final int KEYS = 100_000;

    private static final int VALUE_BYTES = 1024;

    @TempDir
    Path dir;

    @Test
    void aFullCacheStaysWithinTheStatedBound(RedisServer redis) throws Exception {
        fill(redis.address(), "SET");
        int port = freePort();
        Path launcher = Path.of("..", "scripts", "respite").toAbsolutePath().normalize();
        ProcessBuilder builder = new ProcessBuilder(
                        launcher.toString(),
                        "--port",
                        Integer.toString(port),
                        "--upstream",
                        redis.uri(),
                        "--max-memory",
                        MAX_MEMORY_MB + "mb",
                        "--io-threads",
                        "2")
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().keySet().removeIf(name -> name.startsWith("RESPITE_") || name.equals("JAVA_OPTS"));
        builder.environment()
                .put(
                        "JAVA",
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
        builder.environment()
                .put(
                        "RESPITE_JAR",
                        Path.of("target", "respite.jar").toAbsolutePath().toString());
        Process respite = builder.start();
        try {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            Await.until("respite caches", Duration.ofSeconds(30), () -> {
                try (RespTestClient client = RespTestClient.connect(address)) {
                    client.callString("GET", "key:0");
                    return Files.readString(dir.resolve("stderr")).contains("caching enabled");
                } catch (IOException notYet) {
                    return false;
                }
            });
            for (int round = 0; round < 3; round++) {
                fill(address, "GET");
            }
            long rssMb = residentMegabytes(respite.pid());
            String log = Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8);
            assertTrue(log.contains("heap up to"), "respite reports its memory at start: " + log);
            assertTrue(rssMb <= RSS_BOUND_MB, "resident " + rssMb + " MB, bound " + RSS_BOUND_MB + " MB; log: " + log);
        } finally {
            respite.destroy();
            assertTrue(respite.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, respite.exitValue(), Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8));
        }
    }

    /** Sends {@code command key:i [value]} for every key, pipelined in batches, and checks each reply. */
    private static void fill(InetSocketAddress address, String command) throws IOException {
        byte[] value = new byte[VALUE_BYTES];
        Arrays.fill(value, (byte) 'm');
        try (RespTestClient client = RespTestClient.connect(address, Duration.ofSeconds(30))) {
            int batch = 1000;
            for (int from = 0; from < KEYS; from += batch) {
                ByteArrayOutputStream requests = new ByteArrayOutputStream();
                for (int i = from; i < from + batch; i++) {
                    byte[] key = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
                    requests.writeBytes(
                            command.equals("SET")
                                    ? RespTestClient.encodeCommand(
                                            "SET".getBytes(StandardCharsets.US_ASCII), key, value)
                                    : RespTestClient.encodeCommand("GET".getBytes(StandardCharsets.US_ASCII), key));
                }
                client.send(requests.toByteArray());
                for (int i = from; i < from + batch; i++) {
                    byte[] reply = client.readReply();
                    int expected = command.equals("SET") ? 5 : VALUE_BYTES + 9;
                    assertEquals(expected, reply.length, command + " key:" + i);
                }
            }
        }
    }

    /** VmRSS of a process, from /proc. */
    private static long residentMegabytes(long pid) throws IOException {
        List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
        for (String line : status) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new AssertionError("no VmRSS for " + pid);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
