package io.respite.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigExceptionTest {

    @Test
    void valueErrorHasTheHouseFormat() {
        ConfigException e = ConfigException.invalid("port", 70000, "an integer from 0 to 65535");
        assertEquals("port: 70000 (expected: an integer from 0 to 65535)", e.getMessage());
        assertEquals("port", e.option());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--ttl", "RESPITE_TTL", "respite.conf:3: ttl"})
    void valueErrorIsRenamedByItsSource(String source) {
        ConfigException renamed = ConfigException.invalid("ttl", "0ms", "a duration of more than 0")
                .from(source);
        assertEquals(source + ": 0ms (expected: a duration of more than 0)", renamed.getMessage());
    }

    @Test
    void otherErrorKeepsItsMessageWhenRenamed() {
        ConfigException e = new ConfigException("respite.conf:3: unknown option 'prot'");
        assertNull(e.option());
        assertEquals(
                "respite.conf:3: unknown option 'prot'", e.from("RESPITE_PORT").getMessage());
    }
}
