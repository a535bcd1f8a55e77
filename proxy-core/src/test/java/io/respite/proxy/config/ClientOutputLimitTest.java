package io.respite.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientOutputLimitTest {

    @Test
    void parsesHardSoftAndDurationAsRedisWritesThem() {
        assertEquals(
                new ClientOutputLimit(256L << 20, 64L << 20, Duration.ofSeconds(60)),
                ClientOutputLimit.parse("256mb 64mb 60"));
        assertEquals(new ClientOutputLimit(0, 0, Duration.ZERO), ClientOutputLimit.parse(" 0  0 0 "));
        assertEquals(
                ClientOutputLimit.parse(ProxyConfig.DEFAULT_CLIENT_OUTPUT_LIMIT),
                ProxyConfig.builder().build().clientOutputLimit());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1mb", "1mb 1mb", "1mb 1mb 1s 1", "x 1mb 1s", "1mb 1mb soon"})
    void rejectsAnythingButThreeValues(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> ClientOutputLimit.parse(text));
        assertEquals("client-output-limit", e.option());
    }

    @Test
    void theSoftLimitMayNotExceedTheHardOne() {
        ConfigException e = assertThrows(ConfigException.class, () -> ClientOutputLimit.parse("1mb 2mb 10s"));
        assertEquals(
                "client-output-limit: soft limit 2097152 (expected: at most the hard limit, 1048576)", e.getMessage());
        assertEquals(new ClientOutputLimit(0, 2L << 20, Duration.ofSeconds(10)), ClientOutputLimit.parse("0 2mb 10s"));
    }

    @Test
    void aFileLineTakesTheWordsUnquoted() {
        assertEquals(
                new ClientOutputLimit(1L << 20, 0, Duration.ZERO),
                ConfigFile.parse("f", List.of("client-output-limit 1mb 0 0")).entrySet().stream()
                        .findFirst()
                        .map(e -> ClientOutputLimit.parse(e.getValue().value()))
                        .orElseThrow());
    }
}
