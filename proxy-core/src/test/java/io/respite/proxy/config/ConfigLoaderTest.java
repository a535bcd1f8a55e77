package io.respite.proxy.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

    /** Where a test puts an option's value. */
    enum Layer {
        FLAG,
        ENV,
        FILE
    }

    @TempDir
    Path dir;

    @Test
    void nothingGivenMeansDefaults() {
        assertEquals(ProxyConfig.builder().build(), ConfigLoader.load(new String[0], Map.of()));
    }

    /** One value per option, not its default: option, text, accessor, value read. */
    static List<Arguments> oneValuePerOption() {
        return List.of(
                Arguments.of("bind", "0.0.0.0", get(ProxyConfig::bind), "0.0.0.0"),
                Arguments.of("port", "0", get(ProxyConfig::port), 0),
                Arguments.of(
                        "upstream",
                        "redis://:p%20w@[::1]:7000/2",
                        get(ProxyConfig::upstream),
                        new UpstreamUri("::1", 7000, null, "p w", 2)),
                Arguments.of("capacity", "5", get(ProxyConfig::capacityEntries), 5),
                Arguments.of("max-memory", "64MB", get(ProxyConfig::maxMemoryBytes), 64L << 20),
                Arguments.of("max-entry-size", "512k", get(ProxyConfig::maxEntrySizeBytes), 512_000L),
                Arguments.of("ttl", "500ms", get(ProxyConfig::ttl), Duration.ofMillis(500)),
                Arguments.of("requirepass", "s3 cr\"et", get(ProxyConfig::requirepass), "s3 cr\"et"),
                Arguments.of("max-clients", "7", get(ProxyConfig::maxClients), 7),
                Arguments.of("timeout", "2m", get(ProxyConfig::timeout), Duration.ofMinutes(2)),
                Arguments.of("io-threads", "3", get(ProxyConfig::ioThreads), 3),
                Arguments.of("drain-timeout", "0", get(ProxyConfig::drainTimeout), Duration.ZERO),
                Arguments.of("max-pinned", "12", get(ProxyConfig::maxPinned), 12),
                Arguments.of("pinned-idle", "0", get(ProxyConfig::pinnedIdle), 0),
                Arguments.of("pinned-idle-timeout", "5m", get(ProxyConfig::pinnedIdleTimeout), Duration.ofMinutes(5)),
                Arguments.of(
                        "client-output-limit",
                        "8mb 1mb 5s",
                        get(ProxyConfig::clientOutputLimit),
                        new ClientOutputLimit(8L << 20, 1L << 20, Duration.ofSeconds(5))),
                Arguments.of(
                        "deny-command", "CONFIG,debug", get(ProxyConfig::deniedCommands), Set.of("config", "debug")),
                Arguments.of("requirepass-file", SECRET_FILE.toString(), get(ProxyConfig::requirepass), "s3 cret"),
                Arguments.of("coherence", "TTL", get(ProxyConfig::coherence), CoherenceOption.TTL),
                Arguments.of(
                        "tracking-prefix",
                        "user:,session:",
                        get(ProxyConfig::trackingPrefixes),
                        List.of("user:", "session:")),
                Arguments.of("cache-nil", "no", get(ProxyConfig::cacheNil), false),
                Arguments.of("auth", "Passthrough", get(c -> c.auth().passthrough()), true),
                Arguments.of("max-users", "5", get(c -> c.auth().maxUsers()), 5),
                Arguments.of("read-from", "Replica-Preferred", get(ProxyConfig::readFrom), ReadFrom.REPLICA_PREFERRED),
                Arguments.of(
                        "sentinel-user", "watcher", get(c -> c.sentinelAuth().user()), "watcher"),
                Arguments.of(
                        "sentinel-password-file",
                        SECRET_FILE.toString(),
                        get(c -> c.sentinelAuth().password()),
                        "s3 cret"),
                Arguments.of(
                        "upstream-password-file",
                        SECRET_FILE.toString(),
                        get(ProxyConfig::upstream),
                        new UpstreamUri("127.0.0.1", 6379, null, "s3 cret", 0)),
                Arguments.of("http-port", "8080", get(c -> c.http().port()), 8080),
                Arguments.of("http-bind", "0.0.0.0", get(c -> c.http().bind()), "0.0.0.0"),
                Arguments.of("http-max-body", "1mb", get(c -> c.http().maxBodyBytes()), 1L << 20),
                Arguments.of("http-header-timeout", "3s", get(c -> c.http().headerTimeout()), Duration.ofSeconds(3)),
                Arguments.of("log-level", "DEBUG", get(c -> c.log().level()), "debug"),
                Arguments.of("log-format", "json", get(c -> c.log().json()), true),
                Arguments.of("slowlog-threshold", "none", get(c -> c.log().slowlogThreshold()), null),
                Arguments.of("admin-port", "none", get(c -> c.admin().port()), -1),
                Arguments.of("admin-bind", "0.0.0.0", get(c -> c.admin().bind()), "0.0.0.0"),
                Arguments.of("upstream-ops-limit", "4", get(c -> c.admission().upstreamOpsLimit()), 4),
                Arguments.of("upstream-queue", "7", get(c -> c.admission().upstreamQueue()), 7),
                Arguments.of("rate-limit", "100 300", get(c -> c.admission().rateLimit()), new RateLimit(100, 300)),
                Arguments.of(
                        "global-rate-limit", "50", get(c -> c.admission().globalRateLimit()), new RateLimit(50, 50)),
                Arguments.of("tls-port", "6390", get(c -> c.tls().port()), 6390),
                Arguments.of("tls-cert", PEM_FILE.toString(), get(c -> c.tls().certFile()), PEM_FILE),
                Arguments.of(
                        "tls-key", OTHER_PEM_FILE.toString(), get(c -> c.tls().keyFile()), OTHER_PEM_FILE),
                Arguments.of(
                        "tls-ca", OTHER_PEM_FILE.toString(), get(c -> c.tls().caFile()), OTHER_PEM_FILE),
                Arguments.of("http-tls", "yes", get(c -> c.tls().http()), true),
                Arguments.of("admin-tls", "yes", get(c -> c.tls().admin()), true),
                Arguments.of("tls-provider", "JDK", get(c -> c.tls().provider()), TlsOptions.Provider.JDK),
                Arguments.of(
                        "upstream-tls-ca", PEM_FILE.toString(), get(c -> c.tls().upstreamCaFile()), PEM_FILE),
                Arguments.of(
                        "upstream-tls-cert",
                        PEM_FILE.toString(),
                        get(c -> c.tls().upstreamCertFile()),
                        PEM_FILE),
                Arguments.of(
                        "upstream-tls-key",
                        OTHER_PEM_FILE.toString(),
                        get(c -> c.tls().upstreamKeyFile()),
                        OTHER_PEM_FILE),
                Arguments.of("upstream-tls-insecure", "yes", get(c -> c.tls().upstreamInsecure()), true),
                Arguments.of("warm-file", "/tmp/respite.warm", get(c -> c.warm().file()), "/tmp/respite.warm"),
                Arguments.of("warm-keys", "5", get(c -> c.warm().keys()), 5),
                Arguments.of("warm-deadline", "2m", get(c -> c.warm().deadline()), Duration.ofMinutes(2)),
                Arguments.of("warm-rate", "300", get(c -> c.warm().opsPerSecond()), 300));
    }

    /** Stand-ins for certificate and key files: the config checks that they can be read, not what they hold. */
    private static final Path PEM_FILE = secretFile();

    private static final Path OTHER_PEM_FILE = secretFile();

    /**
     * Options that are valid only with others (a TLS key with its certificate, an upstream CA with a
     * rediss:// upstream): those others, set with them in the same layer. File contents are not read
     * by the config, only checked to be readable files.
     */
    private static final Map<String, Map<String, String>> COMPANIONS = companions();

    private static Map<String, Map<String, String>> companions() {
        Map<String, String> certAndKey =
                Map.of("tls-cert", PEM_FILE.toString(), "tls-key", OTHER_PEM_FILE.toString(), "tls-port", "0");
        Map<String, String> rediss = Map.of("upstream", "rediss://h:6379");
        Map<String, Map<String, String>> companions = new HashMap<>();
        companions.put("tls-port", Map.of("tls-cert", PEM_FILE.toString(), "tls-key", OTHER_PEM_FILE.toString()));
        companions.put("tls-cert", Map.of("tls-key", OTHER_PEM_FILE.toString(), "tls-port", "0"));
        companions.put("tls-key", Map.of("tls-cert", PEM_FILE.toString(), "tls-port", "0"));
        companions.put("tls-ca", certAndKey);
        companions.put(
                "http-tls",
                Map.of("tls-cert", PEM_FILE.toString(), "tls-key", OTHER_PEM_FILE.toString(), "http-port", "0"));
        companions.put("admin-tls", Map.of("tls-cert", PEM_FILE.toString(), "tls-key", OTHER_PEM_FILE.toString()));
        companions.put("upstream-tls-ca", rediss);
        companions.put(
                "upstream-tls-cert",
                Map.of("upstream", "rediss://h:6379", "upstream-tls-key", OTHER_PEM_FILE.toString()));
        companions.put(
                "upstream-tls-key", Map.of("upstream", "rediss://h:6379", "upstream-tls-cert", PEM_FILE.toString()));
        companions.put("upstream-tls-insecure", rediss);
        companions.put("read-from", Map.of("upstream", "redis-cluster://h:7000"));
        companions.put(
                "sentinel-user",
                Map.of("upstream", "redis-sentinel://s:26379/m", "sentinel-password-file", PEM_FILE.toString()));
        companions.put("sentinel-password-file", Map.of("upstream", "redis-sentinel://s:26379/m"));
        return companions;
    }

    /** A secret file for the *-file options: its first line is the secret, a second line is ignored. */
    private static final Path SECRET_FILE = secretFile();

    private static Path secretFile() {
        try {
            Path file = Files.createTempFile("respite-secret-", ".txt");
            file.toFile().deleteOnExit();
            return Files.write(file, List.of("s3 cret", "ignored"), UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void oneValuePerOptionCoversEveryOption() {
        Set<String> tested =
                oneValuePerOption().stream().map(a -> (String) a.get()[0]).collect(Collectors.toSet());
        Set<String> all = Arrays.stream(Option.values()).map(o -> o.fileName).collect(Collectors.toSet());
        assertEquals(all, tested);
    }

    static Stream<Arguments> everyOptionFromEveryLayer() {
        return Arrays.stream(Layer.values())
                .flatMap(layer -> oneValuePerOption().stream()
                        .map(a -> Arguments.of(layer, a.get()[0], a.get()[1], a.get()[2], a.get()[3])));
    }

    @ParameterizedTest(name = "{1} {2} from {0}")
    @MethodSource
    void everyOptionFromEveryLayer(
            Layer layer, String option, String text, Function<ProxyConfig, Object> accessor, Object expected)
            throws IOException {
        Input input = new Input(dir);
        input.set(layer, option, text);
        Map<String, String> companions = COMPANIONS.getOrDefault(option, Map.of());
        companions.forEach((name, value) -> input.set(layer, name, value));
        ProxyConfig config = input.load();
        assertEquals(expected, accessor.apply(config));
        ProxyConfig.Builder onlyThisOption = ProxyConfig.builder();
        Option.named(option).apply(onlyThisOption, text);
        companions.forEach((name, value) -> Option.named(name).apply(onlyThisOption, value));
        assertEquals(onlyThisOption.build(), config, "every other option keeps its default");
    }

    /** Columns: the port in the file, the environment and the flags (empty: unset), the port loaded. */
    @ParameterizedTest(name = "file {0}, env {1}, flag {2} -> {3}")
    @CsvSource({
        "1111, 2222, 3333, 3333",
        "1111, 2222,     , 2222",
        "1111,     , 3333, 3333",
        "    , 2222, 3333, 3333",
        "1111,     ,     , 1111",
        "    , 2222,     , 2222",
        "    ,     , 3333, 3333",
        "    ,     ,     , 6380",
    })
    void flagBeatsEnvironmentBeatsFileBeatsDefault(String file, String env, String flag, int expected)
            throws IOException {
        Input input = new Input(dir);
        input.setIfPresent(Layer.FILE, "port", file);
        input.setIfPresent(Layer.ENV, "port", env);
        input.setIfPresent(Layer.FLAG, "port", flag);
        input.set(Layer.FILE, "ttl", "7s"); // the file is always read, even where it loses
        ProxyConfig config = input.load();
        assertEquals(expected, config.port());
        assertEquals(Duration.ofSeconds(7), config.ttl());
    }

    @Test
    void layersMergeOptionByOption() throws IOException {
        Input input = new Input(dir);
        input.set(Layer.FILE, "max-memory", "1gb");
        input.set(Layer.FILE, "ttl", "1h");
        input.set(Layer.ENV, "ttl", "2m");
        input.set(Layer.ENV, "capacity", "10");
        input.set(Layer.FLAG, "capacity", "20");
        ProxyConfig config = input.load();
        assertEquals(1L << 30, config.maxMemoryBytes());
        assertEquals(Duration.ofMinutes(2), config.ttl());
        assertEquals(20, config.capacityEntries());
    }

    @Test
    void respiteConfigSelectsTheFile() throws IOException {
        Path file = write("a.conf", "port 4000");
        assertEquals(
                4000,
                ConfigLoader.load(new String[0], Map.of("RESPITE_CONFIG", file.toString()))
                        .port());
    }

    @Test
    void configFlagBeatsRespiteConfig() throws IOException {
        Path flagFile = write("flag.conf", "port 4000");
        Path envFile = write("env.conf", "port 5000", "ttl 9s");
        ProxyConfig config = ConfigLoader.load(
                new String[] {"--config", flagFile.toString()}, Map.of("RESPITE_CONFIG", envFile.toString()));
        assertEquals(4000, config.port());
        assertEquals(Duration.ofMillis(ProxyConfig.DEFAULT_TTL_MILLIS), config.ttl(), "env.conf is not read");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\n", "\r\n"})
    void fileWithAnyLineEnding(String newline) throws IOException {
        Path file = dir.resolve("le.conf");
        Files.writeString(file, "# comment" + newline + "requirepass \"a b\"" + newline + "port 4001" + newline);
        ProxyConfig config = ConfigLoader.load(new String[] {"--config=" + file}, Map.of());
        assertEquals("a b", config.requirepass());
        assertEquals(4001, config.port());
    }

    @Test
    void fileErrorNamesFileAndLine() throws IOException {
        Path file = write("respite.conf", "# respite", "port 6380", "prot 6381");
        ConfigException e = assertThrows(
                ConfigException.class, () -> ConfigLoader.load(new String[] {"--config", file.toString()}, Map.of()));
        assertEquals(file + ":3: unknown option 'prot'", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"--config, ''", "RESPITE_CONFIG, ''", "--config, nowhere/x.conf", "RESPITE_CONFIG, nowhere/x.conf"})
    void unreadableFileIsAnError(String source, String name) {
        String path = name.isEmpty() ? dir.toString() : dir.resolve(name).toString();
        String[] args = source.startsWith("--") ? new String[] {source, path} : new String[0];
        Map<String, String> env = source.startsWith("--") ? Map.of() : Map.of(source, path);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(args, env));
        assertTrue(
                e.getMessage().startsWith(source + ": " + path + " (expected: a readable UTF-8 file; "),
                e.getMessage());
    }

    @Test
    void fileThatIsNotUtf8IsAnError() throws IOException {
        Path file = dir.resolve("latin1.conf");
        Files.write(file, new byte[] {'r', 'e', 'q', 'u', 'i', 'r', 'e', 'p', 'a', 's', 's', ' ', (byte) 0xE9});
        ConfigException e = assertThrows(
                ConfigException.class, () -> ConfigLoader.load(new String[] {"--config", file.toString()}, Map.of()));
        assertEquals(
                "--config: " + file + " (expected: a readable UTF-8 file; MalformedInputException)", e.getMessage());
    }

    /** Columns: layer, option, bad text, the message after the source's name. */
    @ParameterizedTest(name = "{1} {2} from {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "FLAG | port           | abc      | abc (expected: an integer)",
                "ENV  | port           | abc      | abc (expected: an integer)",
                "FILE | port           | abc      | abc (expected: an integer)",
                "FLAG | port           | 70000    | 70000 (expected: an integer from 0 to 65535)",
                "ENV  | port           | 70000    | 70000 (expected: an integer from 0 to 65535)",
                "FILE | port           | 70000    | 70000 (expected: an integer from 0 to 65535)",
                "FLAG | port           | -1       | -1 (expected: an integer from 0 to 65535)",
                "FLAG | max-memory     | 12xb     | 12xb (expected: a size such as 64mb, 1gb or 1048576)",
                "ENV  | max-memory     | 12xb     | 12xb (expected: a size such as 64mb, 1gb or 1048576)",
                "FILE | max-memory     | 12xb     | 12xb (expected: a size such as 64mb, 1gb or 1048576)",
                "ENV  | max-memory     | 0        | 0 (expected: a size of at least 1 byte)",
                "FLAG | ttl            | 0s       | 0ms (expected: a duration of more than 0)",
                "ENV  | ttl            | 10 s     | 10 s (expected: a duration such as 500ms, 10s, 2m or 1h)",
                "FILE | ttl            | -1s      | -1s (expected: a duration such as 500ms, 10s, 2m or 1h)",
                "ENV  | timeout        | 0        | 0ms (expected: a duration of more than 0)",
                "FLAG | drain-timeout  | 1d       | 1d (expected: a duration such as 500ms, 10s, 2m or 1h)",
                "ENV  | capacity       | 0        | 0 (expected: an integer of at least 1)",
                "FILE | max-clients    | 0        | 0 (expected: an integer of at least 1)",
                "FLAG | io-threads     | 0        | 0 (expected: an integer of at least 1)",
                "ENV  | bind           | a b      | a b (expected: an IP address or host name)",
                "ENV  | requirepass    | ''       | \"\" (expected: a password of at least one character)",
                "FLAG | upstream | redis//h:1 | redis//h:1 (expected: a URI such as redis://[user:pass@]host:port[/db])",
                "ENV  | tls-cert       | /nowhere.pem | /nowhere.pem (expected: a readable file)",
                "FILE | tls-key        | /nowhere.pem | /nowhere.pem (expected: a readable file)",
                "FLAG | tls-provider   | boring   | boring (expected: auto, openssl or jdk)",
                "FLAG | tls-port       | 70000    | 70000 (expected: an integer from 0 to 65535, or none)",
                "ENV  | tls-port       | 6390     | 6390 (expected: with tls-cert)",
                "FILE | http-tls       | maybe    | maybe (expected: yes or no)",
                "ENV  | upstream | redis://u:pw@h:0 | port 0 (expected: an integer from 1 to 65535)",
                "FILE | upstream | http://u:pw@h | http://u:***@h (expected: a URI such as redis://[user:pass@]host:port[/db])",
                "FLAG | max-entry-size | 2gb      | 2147483648 (expected: at most max-memory, 268435456 bytes)",
                "ENV  | coherence      | off      | off (expected: tracking or ttl)",
                "FILE | cache-nil      | maybe    | maybe (expected: yes or no)",
            })
    void valueErrorNamesItsSource(Layer layer, String option, String text, String detail) throws IOException {
        Input input = new Input(dir);
        input.set(layer, option, text);
        ConfigException e = assertThrows(ConfigException.class, input::load);
        String source = switch (layer) {
            case FLAG -> "--" + option;
            case ENV -> Option.envName(option);
            case FILE -> input.file() + ":1: " + option;
        };
        assertEquals(source + ": " + detail, e.getMessage());
    }

    @Test
    void crossFieldErrorBlamesADefaultAsSuch() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> ConfigLoader.load(new String[] {"--max-memory", "512kb"}, Map.of()));
        assertEquals("max-entry-size (default): 1048576 (expected: at most max-memory, 524288 bytes)", e.getMessage());
    }

    @Test
    void maxEntrySizeFromFileCheckedAgainstMaxMemoryFromFlag() throws IOException {
        Input input = new Input(dir);
        input.set(Layer.FILE, "max-entry-size", "2mb");
        input.set(Layer.FLAG, "max-memory", "1mb");
        ConfigException e = assertThrows(ConfigException.class, input::load);
        assertEquals(
                input.file() + ":1: max-entry-size: 2097152 (expected: at most max-memory, 1048576 bytes)",
                e.getMessage());
    }

    /** Columns: the arguments (separated by spaces), the error. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--prot 6380                       | unknown option '--prot'",
                "--requirepas=secret               | unknown option '--requirepas' (did you mean --requirepass?)",
                "-p 6380                           | unknown option '-p' (did you mean --port?)",
                "6380                              | unexpected argument '6380' (options are --name value)",
                "@args.txt                         | unexpected argument '@args.txt' (options are --name value)",
                "-- --port                         | unexpected argument '--port' (options are --name value)",
                "--port                            | Missing required parameter for option '--port' (PORT)",
                "--port 1 --port 2                 | option '--port' (PORT) should be specified only once",
            })
    void badCommandLine(String args, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(args.split(" "), Map.of()));
        assertEquals(message, e.getMessage());
    }

    @Test
    void unknownRespiteVariablesAreIgnored() {
        ProxyConfig config = ConfigLoader.load(new String[0], Map.of("RESPITE_PROT", "1", "RESPITE_HOME", "/opt"));
        assertEquals(ProxyConfig.builder().build(), config);
    }

    @Test
    void variablesAreCaseSensitive() {
        assertEquals(
                ProxyConfig.DEFAULT_PORT,
                ConfigLoader.load(new String[0], Map.of("respite_port", "1")).port());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--help", "-h", "--port abc --help", "--help --config /nowhere"})
    void helpIsSignalledWithTheUsageText(String args) {
        InfoRequestedException e = assertThrows(
                InfoRequestedException.class, () -> ConfigLoader.load(args.split(" "), Map.of("RESPITE_PORT", "abc")));
        assertEquals(ConfigLoader.usage(), e.text());
    }

    @Test
    void trackingPrefixesNeedTrackingCoherence() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--coherence=ttl", "--tracking-prefix=user:"}, Map.of()));
        assertEquals("--tracking-prefix: [user:] (expected: no prefixes in ttl coherence)", e.getMessage());
        assertEquals(
                List.of("a:", "b:"),
                ConfigLoader.load(new String[] {"--tracking-prefix=a:", "--tracking-prefix=b:"}, Map.of())
                        .trackingPrefixes(),
                "repeatable");
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        String usage = ConfigLoader.usage();
        for (Option option : Option.values()) {
            assertTrue(usage.contains(option.flag() + "=" + option.paramLabel), option.flag());
            assertTrue(usage.replaceAll("\\s+", " ").contains("Default: " + option.defaultText + "."), option.flag());
        }
        for (String flag : List.of("--config=FILE", "--help", "--version", "RESPITE_")) {
            assertTrue(usage.contains(flag), flag);
        }
    }

    @Test
    void helpDefaultsAreTheRealDefaults() {
        ProxyConfig.Builder builder = ProxyConfig.builder();
        for (Option option : Option.values()) {
            // Defaults said in words: "the number of ...", "yes in tracking mode, ...".
            if (!option.defaultText.equals("none")
                    && option != Option.IO_THREADS
                    && option != Option.CACHE_NIL
                    && option != Option.HTTP_BIND
                    && option != Option.UPSTREAM_TLS_CA) {
                option.apply(builder, option.defaultText);
            }
        }
        assertEquals(ProxyConfig.builder().build(), builder.build());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--version", "-V"})
    void versionIsSignalledWithTheProjectVersion(String flag) {
        InfoRequestedException e =
                assertThrows(InfoRequestedException.class, () -> ConfigLoader.load(new String[] {flag}, Map.of()));
        assertEquals(ConfigLoader.version() + System.lineSeparator(), e.text());
        assertTrue(ConfigLoader.version().matches("respite [0-9]+\\.[0-9]+\\.[0-9]+.*"), ConfigLoader.version());
    }

    @Test
    void passwordsNeverReachErrorMessages() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ConfigLoader.load(
                        new String[] {"--upstream", "rediss://u:hunter2@h:0", "--requirepass=alsosecret"}, Map.of()));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    private Path write(String name, String... lines) throws IOException {
        return Files.write(dir.resolve(name), List.of(lines), UTF_8);
    }

    private static Function<ProxyConfig, Object> get(Function<ProxyConfig, Object> accessor) {
        return accessor;
    }

    /** Options set in the three layers, then loaded. */
    private static final class Input {
        private final Path file;
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new HashMap<>();
        private final List<String> fileLines = new ArrayList<>();

        Input(Path dir) {
            this.file = dir.resolve("respite.conf");
        }

        Path file() {
            return file;
        }

        void setIfPresent(Layer layer, String option, String text) {
            if (text != null) {
                set(layer, option, text);
            }
        }

        void set(Layer layer, String option, String text) {
            switch (layer) {
                case FLAG -> args.addAll(List.of("--" + option, text));
                case ENV -> env.put(Option.envName(option), text);
                case FILE ->
                    fileLines.add(option + " \"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
                default -> throw new IllegalArgumentException("layer: " + layer);
            }
        }

        ProxyConfig load() throws IOException {
            Files.write(file, fileLines, UTF_8);
            List<String> all = new ArrayList<>(List.of("--config", file.toString()));
            all.addAll(args);
            return ConfigLoader.load(all.toArray(String[]::new), env);
        }
    }
}
