package io.respite.proxy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for the syntax of option values, as redis.conf writes them. Each takes the option's
 * name for its error message; ranges are checked by {@link ProxyConfig}, not here.
 */
final class Values {

    /** What {@link #parseSize} accepts, for error messages. */
    private static final String SIZE_SYNTAX = "a size such as 64mb, 1gb or 1048576";

    /** What {@link #parseDuration} accepts, for error messages. */
    private static final String DURATION_SYNTAX = "a duration such as 500ms, 10s, 2m or 1h";

    /** What {@link #parseInt} accepts, for error messages. */
    private static final String INT_SYNTAX = "an integer";

    private static final Pattern SIZE = Pattern.compile("([0-9]+)(k|kb|m|mb|g|gb)?", Pattern.CASE_INSENSITIVE);

    private static final Pattern DURATION = Pattern.compile("([0-9]+)(ms|s|m|h)?", Pattern.CASE_INSENSITIVE);

    /** What separates repeated values once joined. */
    static final Pattern COMMA = Pattern.compile(",");

    /** What separates command names in a list: commas and spaces. */
    private static final Pattern NAME_SEPARATORS = Pattern.compile("[,\\s]+");

    /** A command name, or a container and subcommand separated by {@code |}. */
    private static final Pattern COMMAND_NAME = Pattern.compile("[A-Za-z0-9_.:-]+(\\|[A-Za-z0-9_.:-]+)?");

    /** An optional minus (so that the range check can name a negative) and decimal digits. */
    private static final Pattern INT = Pattern.compile("-?[0-9]+");

    private Values() {}

    /**
     * A size in bytes: plain bytes, or a case-insensitive suffix {@code k}, {@code m}, {@code g}
     * (powers of 1000) or {@code kb}, {@code mb}, {@code gb} (powers of 1024).
     */
    static long parseSize(String option, String text) {
        Matcher m = SIZE.matcher(text);
        long bytes = m.matches() ? scaled(m.group(1), sizeUnitBytes(m.group(2))) : -1;
        if (bytes < 0) {
            throw ConfigException.invalid(option, text, SIZE_SYNTAX);
        }
        return bytes;
    }

    /** A duration: {@code <n>ms}, {@code <n>s}, {@code <n>m}, {@code <n>h}, or bare {@code <n>} seconds. */
    static Duration parseDuration(String option, String text) {
        Matcher m = DURATION.matcher(text);
        long millis = m.matches() ? scaled(m.group(1), durationUnitMillis(m.group(2))) : -1;
        if (millis < 0) {
            throw ConfigException.invalid(option, text, DURATION_SYNTAX);
        }
        return Duration.ofMillis(millis);
    }

    /** A decimal {@code int}, possibly negative (so that the range check can name it). */
    static int parseInt(String option, String text) {
        if (!INT.matcher(text).matches()) {
            throw ConfigException.invalid(option, text, INT_SYNTAX);
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException overflow) {
            throw ConfigException.invalid(option, text, INT_SYNTAX);
        }
    }

    /** Whether {@code text} is {@code none}, the word for an option left unset. */
    static boolean isNone(String text) {
        return text.strip().equalsIgnoreCase("none");
    }

    /** As {@link #parseInt}, with {@code none} for 0. */
    static int parseIntOrNone(String option, String text) {
        return isNone(text) ? 0 : parseInt(option, text);
    }

    /**
     * A list of command names ({@code --deny-command}), separated by commas or spaces, each a
     * command ({@code config}) or a subcommand ({@code config|set}); returned lower case.
     */
    static Set<String> parseCommandNames(String option, String text) {
        Set<String> names = new LinkedHashSet<>();
        for (String name : NAME_SEPARATORS.split(text, -1)) {
            if (name.isEmpty()) {
                continue;
            }
            if (!COMMAND_NAME.matcher(name).matches()) {
                throw ConfigException.invalid(option, name, "command names such as CONFIG or CONFIG|SET");
            }
            names.add(name.toLowerCase(Locale.ROOT));
        }
        return names;
    }

    /**
     * A secret kept in a file ({@code --requirepass-file}): its first line, without the line end,
     * so that the secret shows neither in {@code ps} nor in the environment. Errors name the file,
     * never its content.
     */
    static String readSecretFile(String option, String path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of(path), StandardCharsets.UTF_8);
        } catch (IOException | InvalidPathException e) {
            throw ConfigException.invalid(
                    option,
                    path,
                    "a readable UTF-8 file holding the secret on its first line ("
                            + e.getClass().getSimpleName() + ")");
        }
        if (lines.isEmpty() || lines.get(0).isEmpty()) {
            throw ConfigException.invalid(
                    option, path, "a file holding the secret on its first line, not an empty one");
        }
        return lines.get(0);
    }

    /** {@code yes} or {@code no}, as redis.conf writes booleans. */
    static boolean parseYesNo(String option, String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw ConfigException.invalid(option, text, "yes or no");
        };
    }

    /**
     * A path to a file that must exist and be readable (a certificate or key): checked here, so
     * that the error names the option and a typo fails the start, not the first handshake.
     */
    static Path parseReadableFile(String option, String text) {
        Path path;
        try {
            path = Path.of(text);
        } catch (InvalidPathException e) {
            throw ConfigException.invalid(option, text, "a readable file");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw ConfigException.invalid(option, text, "a readable file");
        }
        return path;
    }

    /** How an error message shows a duration: whole milliseconds, as {@link #parseDuration} reads them. */
    static String formatDuration(Duration duration) {
        return duration.toMillis() + "ms";
    }

    /** {@code digits × unit}, or -1 if either overflows a {@code long}. */
    private static long scaled(String digits, long unit) {
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException overflow) {
            return -1;
        }
    }

    private static long sizeUnitBytes(String suffix) {
        if (suffix == null) {
            return 1;
        }
        return switch (suffix.toLowerCase(Locale.ROOT)) {
            case "k" -> 1000L;
            case "kb" -> 1024L;
            case "m" -> 1000L * 1000;
            case "mb" -> 1024L * 1024;
            case "g" -> 1000L * 1000 * 1000;
            default -> 1024L * 1024 * 1024; // "gb", the only other suffix SIZE matches
        };
    }

    private static long durationUnitMillis(String suffix) {
        if (suffix == null) {
            return 1000L; // a bare number means seconds, as redis.conf's timeout
        }
        return switch (suffix.toLowerCase(Locale.ROOT)) {
            case "ms" -> 1L;
            case "s" -> 1000L;
            case "m" -> 60L * 1000;
            default -> 60L * 60 * 1000; // "h", the only other suffix DURATION matches
        };
    }
}
