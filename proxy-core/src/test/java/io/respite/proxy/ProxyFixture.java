package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respite.proxy.cache.CacheStats;
import io.respite.proxy.config.ProxyConfig;
import io.respite.proxy.config.UpstreamUri;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;

/**
 * A respite proxy started in front of a test's {@link RedisServer}, with the clients a test opens
 * through it; {@link #close()} closes those clients and stops the proxy (the server belongs to
 * {@code RedisExtension}, which stops it after the test). Use with try-with-resources:
 *
 * <pre>{@code
 * try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
 *     RespTestClient client = fixture.client();
 *     ...
 * }
 * }</pre>
 *
 * <p>The proxy runs with two io threads and the defaults otherwise; {@link #start(RedisServer,
 * UnaryOperator)} changes options. Not thread-safe: open clients from the test thread.
 */
final class ProxyFixture implements AutoCloseable {

    /** How long a test waits for a condition that should hold within milliseconds, such as caching switching on. */
    static final Duration AWAIT = Duration.ofSeconds(10);

    /** The key {@link #awaitCaching()} writes, reads and deletes; tests do not use it otherwise. */
    private static final String WARM_UP_KEY = "respite:test:warm-up";

    private final ProxyServer proxy;
    private final List<RespTestClient> clients = new ArrayList<>();

    private ProxyFixture(ProxyServer proxy) {
        this.proxy = proxy;
    }

    /** A proxy with two io threads in front of {@code redis}. */
    static ProxyFixture start(RedisServer redis) {
        return start(redis, UnaryOperator.identity());
    }

    /** A proxy in front of {@code redis}, with the options {@code options} sets on top of port 0 and two io threads. */
    static ProxyFixture start(RedisServer redis, UnaryOperator<ProxyConfig.Builder> options) {
        return start(config(redis, options));
    }

    /** As {@link #start(RedisServer)}, returning once the proxy caches (see {@link #awaitCaching()}). */
    static ProxyFixture startCaching(RedisServer redis) throws IOException {
        return startCaching(redis, UnaryOperator.identity());
    }

    /** As {@link #start(RedisServer, UnaryOperator)}, returning once the proxy caches (see {@link #awaitCaching()}). */
    static ProxyFixture startCaching(RedisServer redis, UnaryOperator<ProxyConfig.Builder> options) throws IOException {
        ProxyFixture fixture = start(redis, options);
        try {
            fixture.awaitCaching();
            return fixture;
        } catch (IOException | RuntimeException | Error e) {
            fixture.close();
            throw e;
        }
    }

    /** A proxy with exactly {@code config}. */
    static ProxyFixture start(ProxyConfig config) {
        ProxyServer proxy = new ProxyServer(config);
        proxy.start();
        return new ProxyFixture(proxy);
    }

    /** The config {@link #start(RedisServer, UnaryOperator)} uses. */
    static ProxyConfig config(RedisServer redis, UnaryOperator<ProxyConfig.Builder> options) {
        return options.apply(ProxyConfig.builder()
                        .port(0)
                        .adminPort(0)
                        .upstream(UpstreamUri.parse(redis.uri()))
                        .ioThreads(2))
                .build();
    }

    ProxyServer proxy() {
        return proxy;
    }

    InetSocketAddress address() {
        return proxy.address();
    }

    CacheStats stats() {
        return proxy.cacheStats();
    }

    /** A new client of the proxy, closed with the fixture. */
    RespTestClient client() throws IOException {
        return client(Duration.ofSeconds(10));
    }

    /** A new client of the proxy whose reads give up after {@code readTimeout}, closed with the fixture. */
    RespTestClient client(Duration readTimeout) throws IOException {
        RespTestClient client = RespTestClient.connect(proxy.address(), readTimeout);
        clients.add(client);
        return client;
    }

    /** A new client of the proxy's TLS port, with {@code tls}'s trust and certificate, closed with the fixture. */
    RespTestClient tlsClient(SSLContext tls) throws IOException {
        RespTestClient client = RespTestClient.connect(proxy.tlsAddress(), Duration.ofSeconds(10), tls);
        clients.add(client);
        return client;
    }

    /**
     * Waits until the proxy caches: it does only once it has loaded the upstream's command table,
     * a few milliseconds after connecting. Writes a warm-up key through the proxy, reads it until
     * a read is a cache hit, then deletes it through the proxy, so the upstream's keyspace is as
     * before.
     */
    void awaitCaching() throws IOException {
        try (RespTestClient client = RespTestClient.connect(proxy.address(), AWAIT)) {
            assertEquals("+OK\r\n", client.callString("SET", WARM_UP_KEY, "1"));
            long hitsBefore = stats().hits();
            Await.until("the proxy caches (command table loaded)", AWAIT, () -> {
                assertEquals("$1\r\n1\r\n", client.callString("GET", WARM_UP_KEY));
                return stats().hits() > hitsBefore;
            });
            assertEquals(":1\r\n", client.callString("DEL", WARM_UP_KEY));
        }
    }

    /**
     * Reads {@code key} through {@code client} until a read is a cache hit, each read answering
     * {@code expected}: a value is cached once its PTTL is back, a round trip after the client had
     * it, so a read right behind the first may still miss.
     */
    void awaitCached(RespTestClient client, String key, String expected) {
        Await.until(key + " is cached", AWAIT, () -> {
            long hits = stats().hits();
            assertEquals(expected, client.callString("GET", key));
            return stats().hits() > hits;
        });
    }

    /** Stops the proxy, after closing the fixture's clients. Idempotent. */
    @Override
    public void close() {
        for (RespTestClient client : clients) {
            try {
                client.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        clients.clear();
        proxy.stop();
    }

    /** The UTF-8 bytes of {@code text}. */
    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Raw reply bytes as text, for readable assertion messages (binary bytes become U+FFFD). */
    static String text(byte[] reply) {
        return new String(reply, StandardCharsets.UTF_8);
    }
}
