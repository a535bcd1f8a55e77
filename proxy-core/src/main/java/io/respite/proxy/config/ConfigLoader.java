package io.respite.proxy.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Builds a {@link ProxyConfig} from command-line flags, environment variables and a config file.
 * For each option a flag beats the environment, which beats the file, which beats the default.
 *
 * <p>Option {@code max-memory} is the flag {@code --max-memory}, the variable
 * {@code RESPITE_MAX_MEMORY} and the file line {@code max-memory 64mb}. The file is named by
 * {@code --config FILE} or else {@code RESPITE_CONFIG}; see {@link ConfigFile} for its syntax.
 * Unknown flags and unknown or repeated file options are errors; unknown {@code RESPITE_*}
 * variables are ignored.
 *
 * <p>Pure apart from reading the config file: the environment is handed in, and nothing here
 * calls {@code System.exit} or prints. {@code Main} uses it so:
 *
 * <pre>{@code
 * try {
 *     config = ConfigLoader.load(args, System.getenv());
 * } catch (InfoRequestedException e) {   // --help or --version
 *     System.out.print(e.text());         // exit status 0
 * } catch (ConfigException e) {
 *     System.err.println(e.getMessage()); // exit status 2
 * }
 * }</pre>
 */
public final class ConfigLoader {

    /** The option that names the config file; it is not an option of {@link ProxyConfig}. */
    private static final String CONFIG = "config";

    private static final String VERSION = readVersion();

    /** How wide the help text is, in columns. */
    private static final int HELP_WIDTH_COLUMNS = 100;

    private ConfigLoader() {}

    /**
     * The config that {@code args}, {@code env} and the config file they name give.
     *
     * @param args the command line, without the program name
     * @param env  the environment, such as {@code System.getenv()}
     * @throws InfoRequestedException if {@code args} ask for {@code --help} or {@code --version}
     * @throws ConfigException        if an option is unknown, malformed or out of range, or the
     *                                config file cannot be read
     */
    public static ProxyConfig load(String[] args, Map<String, String> env) {
        ParseResult flags = parseFlags(args);
        if (flags.isUsageHelpRequested()) {
            throw new InfoRequestedException(usage());
        }
        if (flags.isVersionHelpRequested()) {
            throw new InfoRequestedException(version() + System.lineSeparator());
        }
        Map<Option, Setting> settings = new EnumMap<>(Option.class);
        OptionSpec configFlag = flags.matchedOption(Option.flag(CONFIG));
        String configFromEnv = env.get(Option.envName(CONFIG));
        if (configFlag != null) {
            settings.putAll(readFile(Option.flag(CONFIG), configFlag.getValue()));
        } else if (configFromEnv != null) {
            settings.putAll(readFile(Option.envName(CONFIG), configFromEnv));
        }
        for (Option option : Option.values()) {
            String fromEnv = env.get(option.envName());
            if (fromEnv != null) {
                settings.put(option, new Setting(option.envName(), fromEnv));
            }
            OptionSpec fromFlag = flags.matchedOption(option.flag());
            if (fromFlag != null) {
                settings.put(
                        option,
                        new Setting(
                                option.flag(),
                                option.repeatable
                                        ? String.join(",", fromFlag.<List<String>>getValue())
                                        : fromFlag.getValue()));
            }
        }
        return build(settings);
    }

    /** The {@code --help} text: every option with its meaning and default. */
    public static String usage() {
        return commandLine().getUsageMessage(Help.Ansi.OFF);
    }

    /** The {@code --version} text, such as {@code respite 0.1.0}. */
    public static String version() {
        return "respite " + VERSION;
    }

    /** One option's value and where it came from ({@code --port}, {@code RESPITE_PORT}, {@code a.conf:3: port}). */
    record Setting(String source, String value) {}

    private static ProxyConfig build(Map<Option, Setting> settings) {
        ProxyConfig.Builder builder = ProxyConfig.builder();
        try {
            settings.forEach((option, setting) -> option.apply(builder, setting.value()));
            return builder.build();
        } catch (ConfigException e) {
            String named = e.option();
            Option option = named == null ? null : Option.named(named);
            if (option == null) {
                throw e;
            }
            Setting setting = settings.get(option);
            throw e.from(setting == null ? option.fileName + " (default)" : setting.source());
        }
    }

    private static ParseResult parseFlags(String[] args) {
        try {
            return commandLine().parseArgs(args);
        } catch (UnmatchedArgumentException e) {
            String unmatched = e.getUnmatched().get(0);
            String flag = unmatched.split("=", 2)[0]; // what follows = may be a password
            // A known flag is unmatched only as a positional argument, after the end-of-options "--".
            if (!e.isUnknownOption() || e.getCommandLine().getCommandSpec().findOption(flag) != null) {
                throw new ConfigException("unexpected argument '" + unmatched + "' (options are --name value)");
            }
            String closest = closest(flag, e.getSuggestions());
            throw new ConfigException(
                    "unknown option '" + flag + "'" + (closest == null ? "" : " (did you mean " + closest + "?)"));
        } catch (ParameterException e) {
            throw new ConfigException(String.valueOf(e.getMessage()));
        }
    }

    /**
     * The suggestion nearest to {@code flag} by edit distance (picocli's come in the options'
     * order, not the nearest first); null when there is none.
     */
    static @Nullable String closest(String flag, List<String> suggestions) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String suggestion : suggestions) {
            int distance = editDistance(flag, suggestion);
            if (distance < bestDistance) {
                best = suggestion;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character. */
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static Map<Option, Setting> readFile(String source, String path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of(path), StandardCharsets.UTF_8);
        } catch (IOException | InvalidPathException e) {
            throw new ConfigException(source + ": " + path + " (expected: a readable UTF-8 file; "
                    + e.getClass().getSimpleName() + ")");
        }
        return ConfigFile.parse(path, lines);
    }

    private static CommandLine commandLine() {
        CommandSpec spec =
                CommandSpec.create().name("respite").version(version()).mixinStandardHelpOptions(true);
        spec.usageMessage()
                .description("A caching proxy for Redis.")
                .abbreviateSynopsis(true)
                .sortOptions(false)
                .width(HELP_WIDTH_COLUMNS)
                .footer(
                        "",
                        "Every option can also be set as RESPITE_<OPTION> in the environment"
                                + " (RESPITE_MAX_MEMORY=64mb) or as '<option> <value>' in the config file"
                                + " (max-memory 64mb). A flag beats the environment, which beats the file.",
                        "Sizes: 1048576, 1k (1000), 1kb (1024), 1m, 1mb, 1g, 1gb.",
                        "Durations: 500ms, 10s, 2m, 1h; a bare number is seconds.");
        spec.addOption(OptionSpec.builder(Option.flag(CONFIG))
                .paramLabel("FILE")
                .type(String.class)
                .description("Config file of '<option> <value>' lines, as in redis.conf. Default: none.")
                .build());
        for (Option option : Option.values()) {
            OptionSpec.Builder flag = OptionSpec.builder(option.flag())
                    .paramLabel(option.paramLabel)
                    .description(option.description + " Default: " + option.defaultText + ".");
            if (option.repeatable) {
                flag.type(List.class).auxiliaryTypes(String.class);
            } else {
                flag.type(String.class);
            }
            spec.addOption(flag.build());
        }
        CommandLine commandLine = new CommandLine(spec);
        commandLine.setExpandAtFiles(false); // @file arguments would read files the loader was not handed
        commandLine.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
        return commandLine;
    }

    private static String readVersion() {
        try (InputStream in = Objects.requireNonNull(
                ConfigLoader.class.getResourceAsStream("version.properties"),
                "version.properties is missing from the classpath")) {
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
