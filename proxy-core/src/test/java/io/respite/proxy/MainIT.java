package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Main} in a child JVM, as an operator runs it: exit status 2 and one line naming a bad
 * option, {@code --help} listing every option, and a SIGTERM that drains and exits 0.
 */
@ExtendWith(RedisExtension.class)
class MainIT {

    /** Every flag that takes a value: one per {@code Option}, and {@code --config}. */
    private static final List<String> FLAGS = List.of(
            "--bind",
            "--port",
            "--upstream",
            "--read-from",
            "--capacity",
            "--max-memory",
            "--max-entry-size",
            "--ttl",
            "--requirepass",
            "--auth",
            "--max-users",
            "--max-clients",
            "--timeout",
            "--io-threads",
            "--drain-timeout",
            "--max-pinned",
            "--pinned-idle",
            "--pinned-idle-timeout",
            "--client-output-limit",
            "--deny-command",
            "--coherence",
            "--tracking-prefix",
            "--cache-nil",
            "--log-level",
            "--log-format",
            "--slowlog-threshold",
            "--admin-port",
            "--admin-bind",
            "--http-port",
            "--http-bind",
            "--http-max-body",
            "--http-header-timeout",
            "--upstream-ops-limit",
            "--upstream-queue",
            "--rate-limit",
            "--global-rate-limit",
            "--warm-file",
            "--warm-keys",
            "--warm-deadline",
            "--warm-rate",
            "--requirepass-file",
            "--upstream-password-file",
            "--sentinel-user",
            "--sentinel-password-file",
            "--tls-port",
            "--tls-cert",
            "--tls-key",
            "--tls-ca",
            "--http-tls",
            "--admin-tls",
            "--tls-provider",
            "--upstream-tls-ca",
            "--upstream-tls-cert",
            "--upstream-tls-key",
            "--upstream-tls-insecure",
            "--config");

    /** A Lua script that returns 1 after keeping Redis busy for 20 ms. */
    private static final String BUSY_20_MS = "local t = redis.call('TIME') local start = t[1] * 1000000 + t[2] "
            + "repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - start > 20000 return 1";

    /** How long a child JVM may take to do what it was asked. */
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aBadOptionExitsTwoWithOneLineNamingIt() throws Exception {
        for (List<String> args : List.of(
                List.of("--port", "0x"),
                List.of("--max-memory", "12xb"),
                List.of("--timeout", "0"),
                List.of("--no-such-option", "1"),
                List.of("--upstream", "http://x:1"))) {
            Child child = run(args);
            assertEquals(2, child.exit(), args + ": " + child);
            List<String> lines = child.stderr().lines().toList();
            assertEquals(1, lines.size(), args + ": " + child);
            assertTrue(
                    lines.get(0).startsWith("respite: ")
                            && lines.get(0).contains(args.get(0).substring(2)),
                    args + " named in " + lines.get(0));
            assertEquals("", child.stdout(), args + ": nothing on stdout");
        }
    }

    @Test
    void helpExitsZeroAndListsEveryOption() throws Exception {
        Child child = run(List.of("--help"));
        assertEquals(0, child.exit(), child.toString());
        Set<String> listed = new TreeSet<>();
        Matcher flags = Pattern.compile("(--[a-z-]+)=").matcher(child.stdout());
        while (flags.find()) {
            listed.add(flags.group(1));
        }
        assertEquals(new TreeSet<>(FLAGS), listed, "--help lists every option with its value, and only those");
        for (String flag : List.of("--help", "--version")) {
            assertTrue(child.stdout().contains(flag), flag + " in --help:\n" + child.stdout());
        }
        assertEquals("", child.stderr());
    }

    @Test
    void sigtermDrainsAndExitsZero(RedisServer redis) throws Exception {
        int port = freePort();
        Process process =
                start(List.of("--port", Integer.toString(port), "--upstream", redis.uri(), "--io-threads", "1"));
        try {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            Await.until("respite accepts connections", CHILD_TIMEOUT, () -> {
                try (RespTestClient client = RespTestClient.connect(address)) {
                    return client.callString("PING").equals("+PONG\r\n");
                } catch (IOException notYet) {
                    return false;
                }
            });
            try (RespTestClient client = RespTestClient.connect(address)) {
                Await.until(
                        "respite reaches Redis",
                        CHILD_TIMEOUT,
                        () -> client.callString("SET", "k", "through-main").equals("+OK\r\n"));
                assertEquals("$12\r\nthrough-main\r\n", client.callString("GET", "k"));
            }
            process.destroy(); // SIGTERM
            assertTrue(process.waitFor(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "respite exits after SIGTERM");
            String stderr = Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), stderr);
            assertTrue(stderr.contains("respite: stopped"), stderr);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void jsonLogLinesParseAndAClientThatResetsLogsNoStackTrace(RedisServer redis) throws Exception {
        int port = freePort();
        Process process = start(List.of(
                "--port",
                Integer.toString(port),
                "--upstream",
                redis.uri(),
                "--admin-port",
                "none",
                "--log-format",
                "json",
                "--log-level",
                "debug",
                "--slowlog-threshold",
                "1ms"));
        try {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            Await.until("respite reaches Redis", CHILD_TIMEOUT, () -> {
                try (RespTestClient client = RespTestClient.connect(address)) {
                    return client.callString("SET", "k", "v").equals("+OK\r\n");
                } catch (IOException notYet) {
                    return false;
                }
            });
            try (RespTestClient client = RespTestClient.connect(address)) {
                // A script that keeps Redis busy for 20 ms: a slow command for a 1 ms threshold. The
                // log writes one such line a second: the script runs until its own line is written.
                Await.until("the slow command is logged", CHILD_TIMEOUT, () -> {
                    assertEquals(":1\r\n", client.callString("EVAL", BUSY_20_MS, "0"));
                    return Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8)
                            .contains("slow upstream command: EVAL");
                });
            }
            // A client that leaves with a reset (SO_LINGER 0), as a crashed client does.
            Socket resetting = new Socket("127.0.0.1", port);
            resetting.getOutputStream().write(RespTestClient.encodeCommand("PING"));
            resetting.getInputStream().readNBytes(7);
            resetting.setSoLinger(true, 0);
            resetting.close();
            Await.until(
                    "the disconnection is logged",
                    CHILD_TIMEOUT,
                    () -> Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8)
                            .contains(": disconnected\""));
            process.destroy();
            assertTrue(process.waitFor(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            ObjectMapper json = new ObjectMapper();
            int lines = 0;
            for (String line : Files.readAllLines(dir.resolve("stderr"), StandardCharsets.UTF_8)) {
                if (line.startsWith("respite: ")) {
                    continue; // Main's own lines about stopping, written once logging may be gone
                }
                JsonNode event = json.readTree(line);
                assertTrue(event.has("level") && event.has("loggerName") && event.has("formattedMessage"), line);
                if (event.path("loggerName").asText().startsWith("io.respite.")) {
                    // Netty's own debug lines may carry one (probing the platform); respite's never
                    // do for an expected event, such as a client leaving with a reset.
                    assertTrue(event.path("throwable").isNull(), "no stack trace: " + line);
                }
                lines++;
            }
            assertTrue(lines > 5, "logged lines: " + lines);
        } finally {
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** What a finished child printed and its exit status. */
    record Child(int exit, String stdout, String stderr) {}

    /** Runs Main with {@code args} to the end. */
    private Child run(List<String> args) throws Exception {
        Process process = start(args);
        try {
            assertTrue(process.waitFor(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS), args + " finishes");
            return new Child(
                    process.exitValue(),
                    Files.readString(dir.resolve("stdout"), StandardCharsets.UTF_8),
                    Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
        }
    }

    /**
     * Starts Main in a child JVM on this JVM's class path, output to files in {@link #dir}, no
     * RESPITE_* environment.
     */
    private Process start(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().keySet().removeIf(name -> name.startsWith("RESPITE_"));
        return builder.start();
    }

    @Test
    void aTakenPortExitsOneWithOneLine(RedisServer redis) throws Exception {
        // The Redis server holds the port: respite cannot bind it.
        Child child = run(List.of("--port", Integer.toString(redis.port()), "--upstream", redis.uri()));
        assertEquals(1, child.exit(), child.toString());
        assertTrue(
                child.stderr()
                        .lines()
                        .anyMatch(line ->
                                line.startsWith("respite: Failed to bind port " + redis.port() + " on 127.0.0.1")),
                child.toString());
    }
}
