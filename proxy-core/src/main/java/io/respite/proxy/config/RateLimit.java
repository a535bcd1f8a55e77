package io.respite.proxy.config;

import java.util.regex.Pattern;

/**
 * A token bucket's rate: {@code perSecond} requests a second on average, up to {@code burst} at
 * once after a quiet spell. Written as {@code "1000"} (a burst of one second's worth) or
 * {@code "1000 5000"}.
 *
 * @param perSecond requests admitted a second, at least 1
 * @param burst     requests admitted at once after a quiet spell, at least 1
 */
public record RateLimit(long perSecond, long burst) {

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    /** Largest rate or burst taken: the bucket counts in nanoseconds of credit, which must not overflow. */
    static final long MAX = 1_000_000_000L;

    /** Validates both, naming {@code option} in the error. */
    static RateLimit of(String option, long perSecond, long burst) {
        if (perSecond < 1 || perSecond > MAX || burst < 1 || burst > MAX) {
            throw ConfigException.invalid(
                    option, perSecond + " " + burst, "a rate and a burst from 1 to " + MAX + " requests");
        }
        return new RateLimit(perSecond, burst);
    }

    /** Parses {@code RATE [BURST]}, naming {@code option} in any error. */
    static RateLimit parse(String option, String text) {
        String[] parts = WHITESPACE.split(text.strip(), -1);
        if (parts.length > 2 || parts[0].isEmpty()) {
            throw ConfigException.invalid(option, text, "RATE [BURST], requests a second, such as 1000 or 1000 5000");
        }
        long rate = Values.parseInt(option, parts[0]);
        return of(option, rate, parts.length == 2 ? Values.parseInt(option, parts[1]) : rate);
    }

    /** As the option is written: {@code 1000 5000}. */
    @Override
    public String toString() {
        return perSecond + " " + burst;
    }
}
