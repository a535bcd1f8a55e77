package io.respite.proxy.admission;

/**
 * A snapshot of admission control's counters; each figure is exact when read, the set of them is
 * not taken atomically.
 *
 * @param rateLimitedClient requests refused by their client's {@code --rate-limit}, since start
 * @param rateLimitedGlobal requests refused by {@code --global-rate-limit}, since start
 * @param opsInFlight commands in flight to Redis now, counted against {@code --upstream-ops-limit}
 * @param opsQueued commands waiting now for the ops limit
 * @param opsWaited commands that had to wait for the ops limit, since start
 * @param opsRefused commands refused because the wait queue was full, since start
 */
public record AdmissionStats(
        long rateLimitedClient,
        long rateLimitedGlobal,
        long opsInFlight,
        long opsQueued,
        long opsWaited,
        long opsRefused) {}
