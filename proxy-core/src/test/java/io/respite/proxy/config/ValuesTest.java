package io.respite.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValuesTest {

    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource({
        "0, 0",
        "1, 1",
        "1048576, 1048576",
        "1k, 1000",
        "1kb, 1024",
        "1m, 1000000",
        "1mb, 1048576",
        "1g, 1000000000",
        "1gb, 1073741824",
        "256mb, 268435456",
        "64MB, 67108864",
        "2Gb, 2147483648",
        "3K, 3000",
        "007kb, 7168",
        "9223372036854775807, 9223372036854775807",
        "8589934591gb, 9223372035781033984",
    })
    void sizeAccepted(String text, long bytes) {
        assertEquals(bytes, Values.parseSize("max-memory", text));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(
            strings = {
                "",
                "-1",
                "+1",
                "12xb",
                "1b",
                "1t",
                "1tb",
                "kb",
                "1.5mb",
                "1 mb",
                " 1mb",
                "1mb ",
                "1kbb",
                "0x10",
                "9223372036854775808",
                "8589934592gb",
                "1e6",
                "１mb",
            })
    void sizeRejected(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> Values.parseSize("max-memory", text));
        assertEquals("max-memory: " + text + " (expected: a size such as 64mb, 1gb or 1048576)", e.getMessage());
        assertEquals("max-memory", e.option());
    }

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({
        "0, 0",
        "500ms, 500",
        "10s, 10000",
        "2m, 120000",
        "1h, 3600000",
        "7, 7000",
        "60, 60000",
        "1500MS, 1500",
        "3S, 3000",
        "4M, 240000",
        "5H, 18000000",
        "9223372036854775807ms, 9223372036854775807",
    })
    void durationAccepted(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Values.parseDuration("ttl", text));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(
            strings = {
                "",
                "-1s",
                "+1s",
                "1.5s",
                "1d",
                "1us",
                "1ns",
                "s",
                "ms",
                "1 s",
                " 1s",
                "1s ",
                "1h30m",
                "PT1S",
                "1sec",
                "9223372036854775808ms",
                "9223372036854776s",
                "2562047788016h",
            })
    void durationRejected(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> Values.parseDuration("ttl", text));
        assertEquals("ttl: " + text + " (expected: a duration such as 500ms, 10s, 2m or 1h)", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {0, 1, -1, 6380, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void intAccepted(int value) {
        assertEquals(value, Values.parseInt("port", Integer.toString(value)));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(
            strings = {
                "",
                "abc",
                "+1",
                "--1",
                "-",
                "1.0",
                "1e3",
                "0x10",
                " 1",
                "1 ",
                "2147483648",
                "-2147483649",
                "6380s",
                "١٢",
            })
    void intRejected(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> Values.parseInt("port", text));
        assertEquals("port: " + text + " (expected: an integer)", e.getMessage());
    }

    @ParameterizedTest(name = "{0} ms")
    @ValueSource(longs = {0, 1, 500, 60_000})
    void formattedDurationParsesBack(long millis) {
        Duration duration = Duration.ofMillis(millis);
        assertEquals(duration, Values.parseDuration("ttl", Values.formatDuration(duration)));
    }
}
