package io.respite.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * One Redis server started for a test: a local {@code redis-server} process or, where no binary
 * exists but a Docker engine does, a {@code redis:7} container. The port stays the same across
 * {@link #stop()} and {@link #start()}, so a test can take its upstream away and bring it back.
 */
public interface RedisServer extends AutoCloseable {

    /** Always a loopback address. */
    String host();

    int port();

    default InetSocketAddress address() {
        return new InetSocketAddress(host(), port());
    }

    /** {@code redis://host:port} ({@code rediss://} for a TLS server), as respite's {@code --upstream} takes it. */
    default String uri() {
        return (tls().isPresent() ? "rediss://" : "redis://") + host() + ":" + port();
    }

    /** For a server that speaks TLS only, a client context that it accepts; else empty. */
    default Optional<SSLContext> tls() {
        return Optional.empty();
    }

    /** A new client of this server (over TLS for a TLS server), whose reads give up after {@code readTimeout}. */
    default RespTestClient client(Duration readTimeout) throws IOException {
        Optional<SSLContext> tls = tls();
        return tls.isPresent()
                ? RespTestClient.connect(address(), readTimeout, tls.get())
                : RespTestClient.connect(address(), readTimeout);
    }

    /** Starts the server again on the same port (no-op when running) and waits for PING. */
    void start();

    /** Stops the server gracefully (SIGTERM, by PID) and waits for it to exit. */
    void stop();

    /** Kills the server abruptly (SIGKILL, by PID), as a crash would. */
    void kill();

    boolean isRunning();

    /**
     * Freezes the server (SIGSTOP, by PID), as a stuck host or a long fork would: its sockets stay
     * open and connections are still accepted by the kernel, but nothing is answered until
     * {@link #thaw()}.
     */
    void freeze();

    /** Lets a frozen server run again (SIGCONT, by PID). */
    void thaw();

    /** Runs one command on a fresh connection and returns the raw reply bytes. */
    default byte[] call(String... args) throws IOException {
        try (RespTestClient client = client(Duration.ofSeconds(10))) {
            return client.call(args);
        }
    }

    /** As {@link #call(String...)}, the reply decoded as UTF-8. */
    default String callString(String... args) throws IOException {
        return new String(call(args), StandardCharsets.UTF_8);
    }

    /** Extra {@code redis-server} arguments this server was started with. */
    List<String> extraArgs();

    @Override
    void close();
}
