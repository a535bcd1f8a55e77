package io.respite.proxy.config;

import org.jspecify.annotations.Nullable;

/**
 * What keeps respite, and the Redis behind it, from being overrun: a bound on the commands in
 * flight to Redis and request rates per client and in all.
 *
 * @param upstreamOpsLimit  most commands in flight to Redis at once across every client; 0 for no limit
 * @param upstreamQueue     commands that may wait for the ops limit; beyond them, commands fail at once
 * @param rateLimit         each client connection's request rate, or null for none
 * @param globalRateLimit   the request rate of every client together, or null for none
 */
public record AdmissionOptions(
        int upstreamOpsLimit,
        int upstreamQueue,
        @Nullable RateLimit rateLimit,
        @Nullable RateLimit globalRateLimit) {

    /** Commands that may wait for the ops limit by default. */
    public static final int DEFAULT_UPSTREAM_QUEUE = 10_000;

    /** No limits. */
    public static final AdmissionOptions NONE = new AdmissionOptions(0, DEFAULT_UPSTREAM_QUEUE, null, null);

    public AdmissionOptions {
        if (upstreamOpsLimit < 0) {
            throw ConfigException.invalid("upstream-ops-limit", upstreamOpsLimit, "an integer of 0 (no limit) or more");
        }
        if (upstreamQueue < 0) {
            throw ConfigException.invalid("upstream-queue", upstreamQueue, "an integer of 0 or more");
        }
    }

    AdmissionOptions withUpstreamOpsLimit(int limit) {
        return new AdmissionOptions(limit, upstreamQueue, rateLimit, globalRateLimit);
    }

    AdmissionOptions withUpstreamQueue(int queue) {
        return new AdmissionOptions(upstreamOpsLimit, queue, rateLimit, globalRateLimit);
    }

    AdmissionOptions withRateLimit(@Nullable RateLimit limit) {
        return new AdmissionOptions(upstreamOpsLimit, upstreamQueue, limit, globalRateLimit);
    }

    AdmissionOptions withGlobalRateLimit(@Nullable RateLimit limit) {
        return new AdmissionOptions(upstreamOpsLimit, upstreamQueue, rateLimit, limit);
    }
}
