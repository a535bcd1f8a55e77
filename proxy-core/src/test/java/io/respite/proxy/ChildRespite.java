package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RespTestClient;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * respite's {@code Main} in a child JVM on this JVM's class path, as an operator runs it: on a
 * free port, its standard error in a file, signalled by its PID only. For tests of what only a
 * real process has: signals, exit, files left behind for the next start.
 */
final class ChildRespite implements AutoCloseable {

    /** How long the child may take to do what it was asked. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path stderr;
    private final int port;

    private ChildRespite(Process process, Path stderr, int port) {
        this.process = process;
        this.stderr = stderr;
        this.port = port;
    }

    /**
     * Starts respite on a free port with {@code args} (no {@code --port}), standard error into
     * {@code stderr}, no {@code RESPITE_*} environment, and waits until it answers PING.
     */
    static ChildRespite start(List<String> args, Path stderr) throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "--port",
                Integer.toString(port)));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().keySet().removeIf(name -> name.startsWith("RESPITE_"));
        ChildRespite child = new ChildRespite(builder.start(), stderr, port);
        Await.until("respite answers PING", TIMEOUT, () -> {
            try (RespTestClient client = RespTestClient.connect(child.address())) {
                return client.callString("PING").equals("+PONG\r\n");
            } catch (IOException notYet) {
                return false;
            }
        });
        return child;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** Sends {@code signal} ({@code HUP}) to the child, by its PID. */
    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
        assertTrue(kill.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "kill returns");
        assertEquals(0, kill.exitValue(), "kill -" + signal + " " + process.pid());
    }

    /** What the child has written to standard error so far. */
    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    /** Waits until standard error contains {@code text}. */
    void awaitLog(String text) {
        Await.until("the log says '" + text + "'", TIMEOUT, () -> stderr().contains(text));
    }

    /** SIGTERM, and waits for a clean exit. */
    void stop() throws IOException, InterruptedException {
        process.destroy();
        assertTrue(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "respite exits after SIGTERM");
        assertEquals(0, process.exitValue(), stderr());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
