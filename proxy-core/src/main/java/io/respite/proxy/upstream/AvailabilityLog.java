package io.respite.proxy.upstream;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one shared upstream connection tells the operator about its availability: one line per
 * change of state or of cause, never one per attempt, and a reminder each minute while the
 * upstream stays unavailable. A wrong password once wrote 77 lines a second; now it writes one.
 * Also counts the failed attempts, which decide whether commands wait for a connection or fail
 * fast. One per connection, on its loop; not thread-safe.
 */
final class AvailabilityLog {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamConnection.class);

    /** How often a connection that stays unavailable says so again, in nanoseconds (a minute). */
    static final long REMINDER_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String name;
    private final LongSupplier nanoClock;
    /** Attempts that failed since the connection was last ready (or since it was created). */
    private int failedAttempts;

    private long unavailableSinceNanos;
    private long lastLineNanos;
    /** The cause last written, while unavailable; null while available. */
    private @Nullable String loggedCause;

    /** @param name how lines name the connection: {@code upstream 10.0.0.1:6379 (RESP2)} */
    AvailabilityLog(String name, LongSupplier nanoClock) {
        this.name = name;
        this.nanoClock = nanoClock;
    }

    /** Attempts that failed since the connection was last ready. */
    int failedAttempts() {
        return failedAttempts;
    }

    /** The connection failed for {@code cause}; {@code wasReady} when it had been serving until now. */
    void failed(String cause, boolean wasReady) {
        failedAttempts++;
        long now = nanoClock.getAsLong();
        if (wasReady) {
            LOG.warn("{}: {}; reconnecting", name, cause);
            unavailableSinceNanos = now;
        } else if (!cause.equals(loggedCause)) {
            if (loggedCause == null) {
                unavailableSinceNanos = now;
            }
            LOG.warn(
                    "{} unavailable: {}; retrying with backoff up to {} ms",
                    name,
                    cause,
                    UpstreamSettings.MAX_BACKOFF_MILLIS);
        } else if (now - lastLineNanos >= REMINDER_NANOS) {
            LOG.warn(
                    "{} still unavailable after {} attempts in {} s: {}",
                    name,
                    failedAttempts,
                    TimeUnit.NANOSECONDS.toSeconds(now - unavailableSinceNanos),
                    cause);
        } else {
            return;
        }
        lastLineNanos = now;
        loggedCause = cause;
    }

    /** The connection is ready; {@code first} when it never was before. */
    void ready(boolean first, SocketAddress localAddress) {
        if (loggedCause != null) {
            LOG.info(
                    "{} is available again after {} attempts in {} ms",
                    name,
                    failedAttempts,
                    TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - unavailableSinceNanos));
        } else if (first) {
            LOG.info("{} connected from {}", name, localAddress);
        }
        failedAttempts = 0;
        loggedCause = null;
    }
}
