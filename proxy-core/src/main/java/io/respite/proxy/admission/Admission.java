package io.respite.proxy.admission;

import io.respite.proxy.config.AdmissionOptions;
import io.respite.proxy.config.RateLimit;
import io.respite.proxy.upstream.UpstreamLane;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Admission control for one server, made once from its {@link AdmissionOptions}: rate limits per
 * client ({@link #newClient()}) and for all clients together, and the bound on commands in flight
 * to Redis ({@link #limit}), with their counters ({@link #stats()}). Without an ops limit {@link
 * #limit} returns the lane itself, at no cost; without rate limits a client's request costs one
 * volatile read.
 *
 * <p>A configuration reload changes the limits in force: {@link #rates} swaps the rate limits
 * whole (every client sees the new ones at its next request), and {@link #opsLimit} moves the
 * ops limit and its queue. Turning the ops limit on or off needs a restart: clients hold the lane
 * they were given at connect time, limited or not. Thread-safe.
 */
public final class Admission {

    /** The error of a command refused because the ops limit's queue is full, without the leading '-'. */
    public static final String BUSY = "ERR respite busy, upstream ops limit reached";
    /** The error of a request refused by a rate limit, without the leading '-'. */
    public static final String RATE_LIMITED = "ERR rate limit exceeded";

    private final LongSupplier nanoClock;
    /** The rate limits in force, replaced whole by {@link #rates}; read by every client on every request. */
    private volatile Rates rates;

    private final @Nullable OpsLimit ops;
    private final ClientAdmission unlimited;
    /** The limited lane of each lane, made once: callers key per-loop state by the lane object. */
    private final Map<UpstreamLane, UpstreamLane> limited = new ConcurrentHashMap<>();

    private final LongAdder rateLimitedClient = new LongAdder();
    private final LongAdder rateLimitedGlobal = new LongAdder();

    /** Admission with {@code options}, on {@link System#nanoTime()}. */
    public Admission(AdmissionOptions options) {
        this(options, System::nanoTime);
    }

    /** Admission with {@code options}; the rate limits read {@code nanoClock}, in nanoseconds. */
    public Admission(AdmissionOptions options, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.rates = new Rates(options.rateLimit(), globalBucket(options.globalRateLimit(), null));
        this.ops = options.upstreamOpsLimit() == 0
                ? null
                : new OpsLimit(options.upstreamOpsLimit(), options.upstreamQueue());
        this.unlimited = new ClientAdmission(this, nanoClock, true);
    }

    /**
     * The rate limits every client, new or connected, is held to from its next request: each
     * client's own bucket starts full when the per-client limit changes, the global bucket when
     * the global limit does; a limit that stays the same keeps its bucket.
     */
    public void rates(@Nullable RateLimit perClient, @Nullable RateLimit global) {
        Rates old = rates;
        rates = new Rates(perClient, globalBucket(global, old.global()));
    }

    /**
     * Moves the ops limit and its queue; a higher limit wakes the lanes waiting for a permit, a
     * lower one lets the commands in flight finish and sends no more until they are below it.
     * Returns false, changing nothing, when that would turn the limit on or off (0 is none).
     */
    public boolean opsLimit(int maxInFlight, int maxQueued) {
        OpsLimit limit = ops;
        if ((limit == null) != (maxInFlight == 0)) {
            return false;
        }
        if (limit != null) {
            limit.resize(maxInFlight, maxQueued);
        }
        return true;
    }

    private @Nullable GlobalBucket globalBucket(@Nullable RateLimit limit, @Nullable GlobalBucket current) {
        if (limit == null) {
            return null;
        }
        return current != null && current.limit().equals(limit)
                ? current
                : new GlobalBucket(limit, nanoClock.getAsLong());
    }

    /** The rate limits in force now. */
    Rates currentRates() {
        return rates;
    }

    /** One client's rate limit and the bucket every client shares, each null for none; immutable. */
    record Rates(@Nullable RateLimit perClient, @Nullable GlobalBucket global) {}

    /** Admission without any limit, for clients and tests that need one. */
    public static Admission none() {
        return new Admission(AdmissionOptions.NONE);
    }

    /**
     * The admission of a new client connection, on its own loop: its own bucket, and the global
     * one, as the limits in force at each request say.
     */
    public ClientAdmission newClient() {
        return new ClientAdmission(this, nanoClock, false);
    }

    /**
     * A client that no rate limit applies to, now or after a reload, shared: for a caller that checks the limits per
     * request itself (HTTP) and must not have them counted twice.
     */
    public ClientAdmission unlimitedClient() {
        return unlimited;
    }

    /**
     * {@code lane} with its commands counted against {@code --upstream-ops-limit}: the same
     * wrapper for the same lane every time, or {@code lane} itself when there is no limit.
     */
    public UpstreamLane limit(UpstreamLane lane) {
        OpsLimit limit = ops;
        if (limit == null) {
            return lane;
        }
        return limited.computeIfAbsent(lane, below -> new LimitedLane(below, limit));
    }

    /**
     * Forgets the limited lane {@link #limit} made for {@code lane}, which has closed (a user's lane,
     * {@code --auth passthrough}): its loop no longer waits for permits through it.
     */
    public void unlimit(UpstreamLane lane) {
        if (limited.remove(lane) instanceof LimitedLane limitedLane) {
            limitedLane.forget();
        }
    }

    /** The counters now. */
    public AdmissionStats stats() {
        OpsLimit limit = ops;
        return new AdmissionStats(
                rateLimitedClient.sum(),
                rateLimitedGlobal.sum(),
                limit == null ? 0 : limit.inFlight(),
                limit == null ? 0 : limit.queued(),
                limit == null ? 0 : limit.waited(),
                limit == null ? 0 : limit.refused());
    }

    void refusedByClientLimit() {
        rateLimitedClient.increment();
    }

    void refusedByGlobalLimit() {
        rateLimitedGlobal.increment();
    }
}
