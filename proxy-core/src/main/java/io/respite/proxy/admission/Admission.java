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
 * to Redis ({@link #limit}), with their counters ({@link #stats()}). Where no limit is configured
 * it costs nothing: {@link #newClient()} returns a shared client without buckets and {@link
 * #limit} the lane itself. Thread-safe.
 */
public final class Admission {

    /** The error of a command refused because the ops limit's queue is full, without the leading '-'. */
    public static final String BUSY = "ERR respite busy, upstream ops limit reached";
    /** The error of a request refused by a rate limit, without the leading '-'. */
    public static final String RATE_LIMITED = "ERR rate limit exceeded";

    private final LongSupplier nanoClock;
    private final @Nullable RateLimit perClient;
    private final @Nullable GlobalBucket global;
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
        this.perClient = options.rateLimit();
        RateLimit all = options.globalRateLimit();
        this.global = all == null ? null : new GlobalBucket(all, nanoClock.getAsLong());
        this.ops = options.upstreamOpsLimit() == 0
                ? null
                : new OpsLimit(options.upstreamOpsLimit(), options.upstreamQueue());
        this.unlimited = new ClientAdmission(this, nanoClock, null, null);
    }

    /** Admission without any limit, for clients and tests that need one. */
    public static Admission none() {
        return new Admission(AdmissionOptions.NONE);
    }

    /** The admission of a new client connection, on its own loop: its own bucket, and the global one. */
    public ClientAdmission newClient() {
        if (perClient == null && global == null) {
            return unlimited;
        }
        RateSlots own = perClient == null ? null : new RateSlots(perClient, nanoClock.getAsLong());
        return new ClientAdmission(this, nanoClock, own, global);
    }

    /**
     * A client that no rate limit applies to, shared: for a caller that checks the limits per
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
