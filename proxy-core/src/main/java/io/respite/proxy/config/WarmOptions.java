package io.respite.proxy.config;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The warm restart: at a graceful stop respite writes the keys of its hottest entries to {@code
 * file}; at start it reads them back and prefetches them through the cache's normal fill path, at
 * most {@code opsPerSecond} keys a second, and {@code /ready} turns green when that is done or
 * after {@code deadline}, whichever comes first.
 *
 * @param file         the warm file, or null for no warm restart
 * @param keys         most keys written at stop, the hottest first; 0 writes none
 * @param deadline     how long the prefetch may keep {@code /ready} red
 * @param opsPerSecond most keys prefetched a second
 */
public record WarmOptions(@Nullable String file, int keys, Duration deadline, int opsPerSecond) {

    /** Most keys written at stop by default. */
    public static final int DEFAULT_KEYS = 100_000;

    /** How long the prefetch may keep {@code /ready} red by default, in seconds. */
    public static final long DEFAULT_DEADLINE_SECONDS = 30;

    /**
     * Most keys prefetched a second by default: each costs Redis a GET and a PTTL, so 20,000 keys
     * a second is about 40,000 commands, a small share of what one Redis serves pipelined (several
     * hundred thousand a second), and 100,000 keys take five seconds.
     */
    public static final int DEFAULT_OPS_PER_SECOND = 20_000;

    /** No warm restart. */
    public static final WarmOptions OFF =
            new WarmOptions(null, DEFAULT_KEYS, Duration.ofSeconds(DEFAULT_DEADLINE_SECONDS), DEFAULT_OPS_PER_SECOND);

    public WarmOptions {
        Objects.requireNonNull(deadline, "deadline");
        if (file != null && file.isEmpty()) {
            throw ConfigException.invalid("warm-file", "\"\"", "a path");
        }
        if (keys < 0) {
            throw ConfigException.invalid("warm-keys", keys, "an integer of 0 or more");
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw ConfigException.invalid("warm-deadline", deadline.toMillis() + "ms", "a duration of more than 0");
        }
        if (opsPerSecond < 1) {
            throw ConfigException.invalid("warm-rate", opsPerSecond, "an integer of at least 1");
        }
    }

    /** Whether a warm file is named. */
    public boolean enabled() {
        return file != null;
    }

    WarmOptions withFile(@Nullable String file) {
        return new WarmOptions(file, keys, deadline, opsPerSecond);
    }

    WarmOptions withKeys(int keys) {
        return new WarmOptions(file, keys, deadline, opsPerSecond);
    }

    WarmOptions withDeadline(Duration deadline) {
        return new WarmOptions(file, keys, deadline, opsPerSecond);
    }

    WarmOptions withOpsPerSecond(int opsPerSecond) {
        return new WarmOptions(file, keys, deadline, opsPerSecond);
    }
}
