package io.respite.proxy.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How respite logs: the least severe level written, the format of a line, and the threshold of
 * the slow-command log.
 *
 * @param level {@code error}, {@code warn}, {@code info}, {@code debug} or {@code trace}
 * @param json one JSON object per line (Logback's JSON encoder) instead of text
 * @param slowlogThreshold upstream commands slower than this are logged, or null for none
 */
public record LogOptions(
        String level, boolean json, @Nullable Duration slowlogThreshold) {

    /** Upstream commands slower than this are logged by default, as Redis's slowlog-log-slower-than (10 ms). */
    public static final long DEFAULT_SLOWLOG_MILLIS = 10;

    public static final LogOptions DEFAULT = new LogOptions("info", false, Duration.ofMillis(DEFAULT_SLOWLOG_MILLIS));

    public LogOptions {
        Objects.requireNonNull(level, "level");
        level = level.toLowerCase(Locale.ROOT);
        if (!level.matches("error|warn|info|debug|trace")) {
            throw ConfigException.invalid("log-level", level, "error, warn, info, debug or trace");
        }
        if (slowlogThreshold != null && (slowlogThreshold.isNegative() || slowlogThreshold.isZero())) {
            throw ConfigException.invalid(
                    "slowlog-threshold", Values.formatDuration(slowlogThreshold), "a duration of more than 0, or none");
        }
    }

    static boolean parseFormat(String option, String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "text" -> false;
            case "json" -> true;
            default -> throw ConfigException.invalid(option, text, "text or json");
        };
    }

    LogOptions withLevel(String level) {
        return new LogOptions(level, json, slowlogThreshold);
    }

    LogOptions withJson(boolean json) {
        return new LogOptions(level, json, slowlogThreshold);
    }

    LogOptions withSlowlogThreshold(@Nullable Duration threshold) {
        return new LogOptions(level, json, threshold);
    }
}
