package io.respite.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The TLS options' validation: each error names the option to fix, from the command line. */
class TlsOptionsTest {

    /** What the upstream's TLS options need. */
    private static final String WITH_TLS = "with a rediss://, rediss-cluster:// or rediss-sentinel:// upstream";

    @TempDir
    Path dir;

    private Path cert;
    private Path key;

    @BeforeEach
    void files() throws IOException {
        cert = Files.writeString(dir.resolve("cert.pem"), "not parsed by the config");
        key = Files.writeString(dir.resolve("key.pem"), "not parsed by the config");
    }

    /** Columns: the arguments ({@code CERT} and {@code KEY} stand for readable files), the error. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--tls-port 6390                           | --tls-port: 6390 (expected: with tls-cert)",
                "--tls-port 6390 --tls-key KEY             | --tls-key: KEY (expected: with tls-cert)",
                "--tls-port 6390 --tls-cert CERT           | --tls-cert: CERT (expected: with tls-key)",
                "--tls-cert CERT --tls-key KEY             | --tls-cert: CERT (expected: with tls-port, http-tls or admin-tls)",
                "--tls-port 0 --tls-cert MISSING --tls-key KEY | --tls-cert: MISSING (expected: a readable file)",
                "--tls-port 0 --tls-cert CERT --tls-key DIR    | --tls-key: DIR (expected: a readable file)",
                "--tls-ca CERT                             | --tls-ca: CERT (expected: with tls-cert and a TLS listener)",
                "--http-tls yes --tls-cert CERT --tls-key KEY  | --http-tls: yes (expected: with http-port)",
                "--admin-tls yes                           | --admin-tls: yes (expected: with tls-cert)",
                "--admin-tls yes --admin-port none --tls-cert CERT --tls-key KEY | --admin-tls: yes (expected: with admin-port)",
                "--upstream-tls-ca CERT                    | --upstream-tls-ca: set (expected: " + WITH_TLS + ")",
                "--upstream-tls-insecure yes               | --upstream-tls-insecure: set (expected: " + WITH_TLS + ")",
                "--upstream redis-cluster://h --upstream-tls-ca CERT | --upstream-tls-ca: set (expected: " + WITH_TLS
                        + ")",
                "--upstream rediss://h --upstream-tls-key KEY | --upstream-tls-key: KEY (expected: with upstream-tls-cert)",
                "--upstream rediss://h --upstream-tls-ca CERT --upstream-tls-insecure yes"
                        + " | --upstream-tls-insecure: yes (expected: no with upstream-tls-ca)",
                "--tls-provider boringssl                  | --tls-provider: boringssl (expected: auto, openssl or jdk)",
            })
    void errorNamesTheOption(String args, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(args(args), Map.of()), args);
        assertEquals(substitute(message), e.getMessage());
    }

    @Test
    void aCompleteSetLoads() {
        ProxyConfig config = ConfigLoader.load(
                args("--tls-port 0 --tls-cert CERT --tls-key KEY --tls-ca CERT --http-port 0 --http-tls yes"
                        + " --admin-tls yes --tls-provider jdk --upstream rediss://cache:6380"
                        + " --upstream-tls-ca CERT --upstream-tls-cert CERT --upstream-tls-key KEY"),
                Map.of());
        TlsOptions tls = config.tls();
        assertEquals(
                new TlsOptions(0, cert, key, cert, true, true, TlsOptions.Provider.JDK, cert, cert, key, false), tls);
        assertEquals("rediss://cache:6380/0", config.upstream().toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rediss-cluster://a:7000,b:7001", "rediss-sentinel://s1,s2:5000/cache"})
    void everyUpstreamOverTlsTakesTheUpstreamTlsOptions(String upstream) {
        ProxyConfig config = ConfigLoader.load(
                args("--upstream " + upstream + " --upstream-tls-ca CERT --upstream-tls-cert CERT"
                        + " --upstream-tls-key KEY"),
                Map.of());
        assertTrue(config.upstream().tls(), config.upstream().toString());
        assertEquals(cert, config.tls().upstreamCaFile());
        assertEquals(key, config.tls().upstreamKeyFile());
    }

    @Test
    void noTlsByDefault() {
        assertEquals(TlsOptions.OFF, ConfigLoader.load(new String[0], Map.of()).tls());
    }

    private String[] args(String line) {
        List<String> args = new ArrayList<>();
        for (String word : line.trim().split("\\s+")) {
            args.add(substitute(word));
        }
        return args.toArray(String[]::new);
    }

    private String substitute(String text) {
        return text.replace("CERT", cert.toString())
                .replace("KEY", key.toString())
                .replace("MISSING", dir.resolve("missing.pem").toString())
                .replace("DIR", dir.toString());
    }
}
