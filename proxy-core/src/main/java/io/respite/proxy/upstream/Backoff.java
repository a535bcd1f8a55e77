package io.respite.proxy.upstream;

import java.util.function.LongUnaryOperator;

/**
 * Delays between reconnection attempts: exponential from {@link UpstreamSettings#MIN_BACKOFF_MILLIS}
 * to {@link UpstreamSettings#MAX_BACKOFF_MILLIS}, with "equal jitter" (each delay is drawn from
 * the upper half of the current step), so that the connections of many loops and many respite
 * replicas that lost Redis at the same moment do not come back at the same moment.
 *
 * <p>The step doubles on every attempt and returns to the start only when a connection becomes
 * ready: a connection that opens but fails its handshake (a wrong password, Redis at maxclients)
 * backs off like one that is refused. Not thread-safe; one per connection, on its loop.
 */
final class Backoff {

    private final LongUnaryOperator random;
    private long stepMillis = UpstreamSettings.MIN_BACKOFF_MILLIS;

    /**
     * @param random given a bound {@code n > 0}, a uniformly random value in {@code [0, n)}
     */
    Backoff(LongUnaryOperator random) {
        this.random = random;
    }

    /** The delay before the next attempt, in milliseconds; each call moves one step further. */
    long nextDelayMillis() {
        long step = stepMillis;
        stepMillis = Math.min(UpstreamSettings.MAX_BACKOFF_MILLIS, step * 2);
        long half = step / 2;
        return step - half + random.applyAsLong(half + 1);
    }

    /** The connection is ready again: the next failure is retried after the shortest delay. */
    void reset() {
        stepMillis = UpstreamSettings.MIN_BACKOFF_MILLIS;
    }
}
