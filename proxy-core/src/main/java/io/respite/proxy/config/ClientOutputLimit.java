package io.respite.proxy.config;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How much reply output may wait in respite for one client, as Redis's
 * {@code client-output-buffer-limit <class> <hard> <soft> <seconds>}: a client whose waiting
 * output goes over {@code hardBytes}, or stays over {@code softBytes} for {@code softDuration},
 * is disconnected. Written as {@code "256mb 64mb 60s"}; 0 turns a limit off.
 *
 * @param hardBytes    output at which a client is disconnected at once; 0 for no limit
 * @param softBytes    output a client may stay above for only {@code softDuration}; 0 for no limit
 * @param softDuration how long a client may stay above {@code softBytes}
 */
public record ClientOutputLimit(long hardBytes, long softBytes, Duration softDuration) {

    /** The option these limits are given for, naming it in error messages. */
    static final String OPTION = "client-output-limit";

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private static final String SYNTAX = "<hard> <soft> <duration>, such as 256mb 64mb 60s (0 for no limit)";

    public ClientOutputLimit {
        Objects.requireNonNull(softDuration, "softDuration");
        if (hardBytes < 0 || softBytes < 0 || softDuration.isNegative()) {
            throw ConfigException.invalid(
                    OPTION,
                    hardBytes + " " + softBytes + " " + Values.formatDuration(softDuration),
                    "sizes and a duration of 0 or more");
        }
        if (hardBytes > 0 && softBytes > hardBytes) {
            throw ConfigException.invalid(OPTION, "soft limit " + softBytes, "at most the hard limit, " + hardBytes);
        }
    }

    /** Parses {@code <hard> <soft> <duration>}, with the sizes and durations every option takes. */
    static ClientOutputLimit parse(String text) {
        String[] parts = WHITESPACE.split(text.strip(), -1);
        if (parts.length != 3) {
            throw ConfigException.invalid(OPTION, text, SYNTAX);
        }
        return new ClientOutputLimit(
                Values.parseSize(OPTION, parts[0]),
                Values.parseSize(OPTION, parts[1]),
                Values.parseDuration(OPTION, parts[2]));
    }

    /** As the option is written: {@code 268435456 67108864 60000ms}. */
    @Override
    public String toString() {
        return hardBytes + " " + softBytes + " " + Values.formatDuration(softDuration);
    }
}
