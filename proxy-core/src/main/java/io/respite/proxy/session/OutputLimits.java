package io.respite.proxy.session;

/**
 * A client's output limits, as Redis's {@code client-output-buffer-limit}: replies waiting in
 * respite for a client beyond {@code hardBytes}, or beyond {@code softBytes} for
 * {@code softNanos}, disconnect it. Zero turns a limit off.
 *
 * @param hardBytes output at which a client is disconnected at once, or 0
 * @param softBytes output a client may stay above for only {@code softNanos}, or 0
 * @param softNanos how long a client may stay above {@code softBytes}
 */
public record OutputLimits(long hardBytes, long softBytes, long softNanos) {

    /** No limits at all. */
    public static final OutputLimits NONE = new OutputLimits(0, 0, 0);

    /** A subscriber's limits, Redis's {@code client-output-buffer-limit pubsub 32mb 8mb 60} defaults. */
    public static final OutputLimits PUBSUB = new OutputLimits(32L << 20, 8L << 20, 60_000_000_000L);

    public OutputLimits {
        if (hardBytes < 0 || softBytes < 0 || softNanos < 0) {
            throw new IllegalArgumentException(
                    "limits: " + hardBytes + " " + softBytes + " " + softNanos + " (expected: >= 0)");
        }
    }
}
