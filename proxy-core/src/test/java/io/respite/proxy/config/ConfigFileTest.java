package io.respite.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigFileTest {

    @Test
    void readsOptionsSkippingCommentsAndBlankLines() {
        Map<Option, ConfigLoader.Setting> settings = ConfigFile.parse(
                "respite.conf",
                List.of("# respite", "", "port 7000", "   # indented comment", "\t max-memory \t 64mb  ", "   "));
        assertEquals(
                Map.of(
                        Option.PORT, new ConfigLoader.Setting("respite.conf:3: port", "7000"),
                        Option.MAX_MEMORY, new ConfigLoader.Setting("respite.conf:5: max-memory", "64mb")),
                settings);
    }

    /** Columns: the value as written after {@code requirepass}, the value read. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "secret                  | secret",
                "ab#cd                   | ab#cd",
                "pa\"ss                  | pa\"ss",
                "\"a b  c\"              | a b  c",
                "\"with \\\" quote\"     | with \" quote",
                "\"back\\\\slash\"       | back\\slash",
                "\"# not a comment\"     | # not a comment",
                "\"\"                    | ''",
                "\"x\"                   | x",
            })
    void readsBareAndQuotedValues(String written, String read) {
        Map<Option, ConfigLoader.Setting> settings = ConfigFile.parse("f", List.of("requirepass " + written));
        assertEquals(read, settings.get(Option.REQUIREPASS).value());
    }

    /** Columns: the file's lines (separated by {@code /}), the error. */
    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "prot 6380                       | respite.conf:1: unknown option 'prot'",
                "# c/port 1/prot 2               | respite.conf:3: unknown option 'prot'",
                "--port 6380                     | respite.conf:1: unknown option '--port'",
                "Port 6380                       | respite.conf:1: unknown option 'Port'",
                "config other.conf               | respite.conf:1: unknown option 'config'",
                "help                            | respite.conf:1: unknown option 'help'",
                "port 1/ttl 1s/port 2            | respite.conf:3: duplicate option 'port' (first set on line 1)",
                "port                            | respite.conf:1: option 'port' has no value",
                "port 6380 # main                | respite.conf:1: option 'port' takes one value; quote a value with spaces",
                "requirepass a b | respite.conf:1: option 'requirepass' takes one value; quote a value with spaces",
                "requirepass \"a b               | respite.conf:1: option 'requirepass' has no closing quote",
                "requirepass \"a b\\\"           | respite.conf:1: option 'requirepass' has no closing quote",
                "requirepass \"a\" b             | respite.conf:1: option 'requirepass' has text after its closing quote",
                "requirepass \"a\"\"b\"          | respite.conf:1: option 'requirepass' has text after its closing quote",
                "requirepass \"a\\nb\" | respite.conf:1: option 'requirepass' has a bad escape; only \\\" and \\\\ are",
                "requirepass \"a\\ | respite.conf:1: option 'requirepass' has a bad escape; only \\\" and \\\\ are",
            })
    void rejectsWithFileAndLine(String lines, String message) {
        ConfigException e = assertThrows(
                ConfigException.class, () -> ConfigFile.parse("respite.conf", Arrays.asList(lines.split("/"))));
        assertEquals(message, e.getMessage());
    }
}
