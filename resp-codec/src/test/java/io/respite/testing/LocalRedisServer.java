package io.respite.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * A {@code redis-server} child process on 127.0.0.1 with no persistence, speaking plain RESP or,
 * given a {@link RedisTls}, TLS only. Stopped by its PID
 * (through {@link Process}), never by name; a JVM shutdown hook stops any still running if the
 * test JVM exits early.
 */
final class LocalRedisServer implements RedisServer {

    private static final String HOST = "127.0.0.1";
    /** How long a server may take to answer PING after start. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    /** How long a graceful stop may take before the process is killed. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    /** Attempts at finding a free port when another process takes ours between probe and bind. */
    private static final int PORT_ATTEMPTS = 5;

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "redis-test-reaper"));
    }

    private final Path binary;
    private final Path dir;
    private final List<String> extraArgs;
    private final @Nullable RedisTls tls;
    /** A configuration file's text, written to {@code redis.conf} and named first; null for none. */
    private final @Nullable String configText;

    private int port;
    private Process process;

    /** Starts a server on a free port; extra args are appended to the command line. */
    LocalRedisServer(Path binary, List<String> extraArgs) {
        this(binary, null, extraArgs, null);
    }

    /** As {@link #LocalRedisServer(Path, List)}, speaking TLS only when {@code tls} is given. */
    LocalRedisServer(Path binary, List<String> extraArgs, @Nullable RedisTls tls) {
        this(binary, null, extraArgs, tls);
    }

    /**
     * Starts a server on a free port, with {@code configText} (null for none) as its configuration
     * file, which a sentinel needs (it rewrites it); extra args are appended to the command line;
     * speaking TLS only when {@code tls} is given.
     */
    LocalRedisServer(Path binary, @Nullable String configText, List<String> extraArgs, @Nullable RedisTls tls) {
        this.binary = binary;
        this.configText = configText;
        this.extraArgs = List.copyOf(extraArgs);
        this.tls = tls;
        try {
            this.dir = Files.createTempDirectory("respite-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            port = freePort();
            try {
                start();
                return;
            } catch (IllegalStateException e) {
                last = e;
                if (!e.getMessage().contains("Address already in use")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    /** A port that was free a moment ago; redis may still lose a race for it (we then retry). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String host() {
        return HOST;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Optional<SSLContext> tls() {
        return tls == null ? Optional.empty() : Optional.of(tls.clientContext());
    }

    @Override
    public List<String> extraArgs() {
        return extraArgs;
    }

    /** The server's working directory (log, cluster config). */
    Path dir() {
        return dir;
    }

    @Override
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        if (configText != null) {
            Path config = dir.resolve("redis.conf");
            try {
                // Once: a sentinel rewrites it with what it learnt, which a restart must keep.
                if (!Files.exists(config)) {
                    Files.writeString(config, configText, StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            command.add(config.toAbsolutePath().toString());
        }
        command.addAll(tls == null ? List.of("--port", Integer.toString(port)) : tls.args(port));
        command.addAll(List.of(
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                dir.toString(),
                "--logfile",
                "redis.log"));
        command.addAll(extraArgs);
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + binary + ": " + e.getMessage(), e);
        }
        RUNNING.add(process);
        awaitPing();
    }

    private void awaitPing() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                RUNNING.remove(process);
                throw new IllegalStateException(
                        "redis-server on port " + port + " exited with " + process.exitValue() + ": " + logTail());
            }
            if (answersPing()) {
                return;
            }
            // Poll: redis gives no readiness signal we could wait on; its start takes ~10 ms.
            try {
                process.waitFor(5, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for redis-server", e);
            }
        }
        kill();
        throw new IllegalStateException(
                "redis-server on port " + port + " did not answer PING within " + START_TIMEOUT + ": " + logTail());
    }

    private boolean answersPing() {
        if (tls != null) {
            try (RespTestClient client =
                    RespTestClient.connect(address(), Duration.ofSeconds(1), tls.clientContext())) {
                String reply = client.callString("PING");
                return reply.equals("+PONG\r\n") || reply.startsWith("-NOAUTH");
            } catch (IOException e) {
                return false;
            }
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 200);
            socket.setSoTimeout(1000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            // +PONG, or -NOAUTH from a server started with --requirepass: either way it is up.
            byte[] reply = new byte[7];
            int n = socket.getInputStream().readNBytes(reply, 0, reply.length);
            String start = new String(reply, 0, n, StandardCharsets.US_ASCII);
            return start.equals("+PONG\r\n") || start.startsWith("-NOAUTH");
        } catch (IOException e) {
            return false;
        }
    }

    /** The last lines of the server's log, for failure messages. */
    String logTail() {
        StringBuilder tail = new StringBuilder();
        for (String name : List.of("stdout.log", "redis.log")) {
            Path log = dir.resolve(name);
            try {
                if (Files.exists(log)) {
                    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                    tail.append(String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
                }
            } catch (IOException e) {
                tail.append("(cannot read ")
                        .append(log)
                        .append(": ")
                        .append(e.getMessage())
                        .append(')');
            }
        }
        return tail.toString();
    }

    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        awaitExit();
    }

    @Override
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        awaitExit();
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        RUNNING.remove(process);
        process = null;
    }

    @Override
    public void freeze() {
        signal("STOP");
    }

    @Override
    public void thaw() {
        signal("CONT");
    }

    /** Sends {@code SIG<name>} to the server's PID with kill(1): Java can only terminate processes. */
    private void signal(String name) {
        String pid = Long.toString(pid());
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, pid)
                    .redirectErrorStream(true)
                    .start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling redis-server", e);
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The server's PID while it runs. */
    synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("redis-server on port " + port + " is not running");
        }
        return process.pid();
    }

    @Override
    public void close() {
        stop();
        deleteDir();
    }

    private void deleteDir() {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "redis-server[" + HOST + ":" + port + (tls == null ? "" : ", TLS") + "]";
    }
}
