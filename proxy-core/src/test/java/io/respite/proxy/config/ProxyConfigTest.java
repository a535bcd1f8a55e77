package io.respite.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProxyConfigTest {

    @Test
    void defaults() {
        ProxyConfig config = ProxyConfig.builder().build();
        assertEquals("127.0.0.1", config.bind());
        assertEquals(6380, config.port());
        assertEquals(new UpstreamUri("127.0.0.1", 6379, null, null, 0), config.upstream());
        assertEquals(1_000_000, config.capacityEntries());
        assertEquals(256L * 1024 * 1024, config.maxMemoryBytes());
        assertEquals(1024L * 1024, config.maxEntrySizeBytes());
        assertEquals(Duration.ofSeconds(60), config.ttl());
        assertNull(config.requirepass());
        assertEquals(10_000, config.maxClients());
        assertEquals(Duration.ofSeconds(5), config.timeout());
        assertEquals(Runtime.getRuntime().availableProcessors(), config.ioThreads());
        assertEquals(Duration.ofSeconds(5), config.drainTimeout());
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of(op(b -> b.port(0)), get(ProxyConfig::port), 0),
                Arguments.of(op(b -> b.port(65535)), get(ProxyConfig::port), 65535),
                Arguments.of(op(b -> b.bind("0.0.0.0")), get(ProxyConfig::bind), "0.0.0.0"),
                Arguments.of(op(b -> b.bind("::")), get(ProxyConfig::bind), "::"),
                Arguments.of(op(b -> b.bind("proxy-1.example")), get(ProxyConfig::bind), "proxy-1.example"),
                Arguments.of(op(b -> b.capacityEntries(1)), get(ProxyConfig::capacityEntries), 1),
                Arguments.of(op(b -> b.maxMemoryBytes(1).maxEntrySizeBytes(1)), get(ProxyConfig::maxMemoryBytes), 1L),
                Arguments.of(
                        op(b -> b.maxMemoryBytes(5).maxEntrySizeBytes(5)), get(ProxyConfig::maxEntrySizeBytes), 5L),
                Arguments.of(op(b -> b.ttl(Duration.ofMillis(1))), get(ProxyConfig::ttl), Duration.ofMillis(1)),
                Arguments.of(op(b -> b.requirepass("a b c")), get(ProxyConfig::requirepass), "a b c"),
                Arguments.of(op(b -> b.maxClients(1)), get(ProxyConfig::maxClients), 1),
                Arguments.of(op(b -> b.timeout(Duration.ofMillis(1))), get(ProxyConfig::timeout), Duration.ofMillis(1)),
                Arguments.of(op(b -> b.ioThreads(1)), get(ProxyConfig::ioThreads), 1),
                Arguments.of(op(b -> b.drainTimeout(Duration.ZERO)), get(ProxyConfig::drainTimeout), Duration.ZERO),
                Arguments.of(
                        op(b -> b.upstream(UpstreamUri.parse("redis-cluster://a:7000"))
                                .readFrom(ReadFrom.REPLICA)),
                        get(ProxyConfig::readFrom),
                        ReadFrom.REPLICA));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource
    void accepted(UnaryOperator<ProxyConfig.Builder> change, Function<ProxyConfig, Object> option, Object expected) {
        assertEquals(expected, option.apply(change.apply(ProxyConfig.builder()).build()));
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of(op(b -> b.bind("")), "bind:  (expected: an IP address or host name)"),
                Arguments.of(op(b -> b.bind("a b")), "bind: a b (expected: an IP address or host name)"),
                Arguments.of(op(b -> b.port(-1)), "port: -1 (expected: an integer from 0 to 65535)"),
                Arguments.of(op(b -> b.port(65536)), "port: 65536 (expected: an integer from 0 to 65535)"),
                Arguments.of(op(b -> b.capacityEntries(0)), "capacity: 0 (expected: an integer of at least 1)"),
                Arguments.of(op(b -> b.maxMemoryBytes(0)), "max-memory: 0 (expected: a size of at least 1 byte)"),
                Arguments.of(
                        op(b -> b.maxEntrySizeBytes(0)), "max-entry-size: 0 (expected: a size of at least 1 byte)"),
                Arguments.of(op(b -> b.ttl(Duration.ZERO)), "ttl: 0ms (expected: a duration of more than 0)"),
                Arguments.of(op(b -> b.ttl(Duration.ofMillis(-5))), "ttl: -5ms (expected: a duration of more than 0)"),
                Arguments.of(
                        op(b -> b.requirepass("")),
                        "requirepass: \"\" (expected: a password of at least one character)"),
                Arguments.of(op(b -> b.maxClients(0)), "max-clients: 0 (expected: an integer of at least 1)"),
                Arguments.of(op(b -> b.timeout(Duration.ZERO)), "timeout: 0ms (expected: a duration of more than 0)"),
                Arguments.of(op(b -> b.ioThreads(0)), "io-threads: 0 (expected: an integer of at least 1)"),
                Arguments.of(op(b -> b.maxPinned(0)), "max-pinned: 0 (expected: an integer of at least 1)"),
                Arguments.of(op(b -> b.pinnedIdle(-1)), "pinned-idle: -1 (expected: an integer of 0 or more)"),
                Arguments.of(
                        op(b -> b.pinnedIdleTimeout(Duration.ZERO)),
                        "pinned-idle-timeout: 0ms (expected: a duration of more than 0)"),
                Arguments.of(
                        op(b -> b.drainTimeout(Duration.ofMillis(-1))),
                        "drain-timeout: -1ms (expected: a duration of 0 or more)"),
                Arguments.of(
                        op(b -> b.maxMemoryBytes(1024).maxEntrySizeBytes(1025)),
                        "max-entry-size: 1025 (expected: at most max-memory, 1024 bytes)"),
                Arguments.of(
                        op(b -> b.sentinelPasswordFromFile("s3cret")),
                        "sentinel-password-file: a file (expected: a redis-sentinel:// or rediss-sentinel:// upstream)"),
                Arguments.of(
                        op(b -> b.upstream(UpstreamUri.parse("redis-sentinel://s/m"))
                                .sentinelUser("watcher")),
                        "sentinel-user: watcher (expected: set with sentinel-password-file)"),
                Arguments.of(
                        op(b -> b.readFrom(ReadFrom.REPLICA)),
                        "read-from: replica (expected: primary without a redis-cluster:// or rediss-cluster:// upstream "
                                + "(only a cluster's replicas are known to respite))"),
                Arguments.of(
                        op(b -> b.maxMemoryBytes(512 * 1024)),
                        "max-entry-size: 1048576 (expected: at most max-memory, 524288 bytes)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource
    void rejected(UnaryOperator<ProxyConfig.Builder> change, String message) {
        ConfigException e = assertThrows(
                ConfigException.class, () -> change.apply(ProxyConfig.builder()).build());
        assertEquals(message, e.getMessage());
    }

    @Test
    void toStringMasksEveryPassword() {
        ProxyConfig config = ProxyConfig.builder()
                .requirepass("client-secret")
                .upstream(new UpstreamUri("h", 6379, "u", "upstream-secret", 0))
                .build();
        String shown = config.toString();
        assertFalse(shown.contains("secret"), shown);
        assertTrue(shown.contains("requirepass=***"), shown);
        assertTrue(shown.contains("upstream=redis://u:***@h:6379/0"), shown);
        String sentinels = ProxyConfig.builder()
                .upstream(UpstreamUri.parse("redis-sentinel://s/m"))
                .sentinelUser("watcher")
                .sentinelPasswordFromFile("sentinel-secret")
                .build()
                .toString();
        assertFalse(sentinels.contains("secret"), sentinels);
        assertTrue(sentinels.contains("sentinelAuth=watcher:***"), sentinels);
    }

    @Test
    void toStringSaysWhenThereIsNoPassword() {
        assertTrue(ProxyConfig.builder().build().toString().contains("requirepass=none"));
    }

    private static UnaryOperator<ProxyConfig.Builder> op(UnaryOperator<ProxyConfig.Builder> change) {
        return change;
    }

    private static Function<ProxyConfig, Object> get(Function<ProxyConfig, Object> option) {
        return option;
    }
}
