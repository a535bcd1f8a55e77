package io.respite.proxy.admission;

import io.respite.proxy.config.RateLimit;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Whether one client's next request may go ahead: its own token bucket ({@code --rate-limit}) and
 * the one every client shares ({@code --global-rate-limit}). Every request counts, cache hits
 * included: the limits protect respite's own CPU as well as Redis, and a client cannot tell a hit
 * from a miss in advance anyway. A refused request never reaches Redis and is counted, by the
 * limit that refused it.
 *
 * <p>A request takes a token from both buckets or from neither: the client's bucket is only
 * looked at first, and its token taken once the global one has admitted the request, so a request
 * the global limit refuses costs the client nothing (and since only the client's own loop touches
 * its bucket, nothing can take that token in between). Both are exact (see {@link RateSlots}).
 *
 * <p>The limits are those in force at each request ({@link Admission#rates}, changed by a
 * configuration reload): a client that finds them changed makes its own bucket anew, full. Without
 * limits a request costs that one volatile read; {@link Admission#unlimitedClient()} does not
 * even read. Owned by the client's connection, on its event loop; not thread-safe (the global
 * bucket it refers to is).
 */
public final class ClientAdmission {

    private final Admission admission;
    private final LongSupplier nanoClock;
    /** Never limited: {@link Admission#unlimitedClient()}. */
    private final boolean exempt;
    /** The limits {@link #own} was made for; null only for the exempt client. */
    private Admission.@Nullable Rates seen;

    private @Nullable RateSlots own;
    private @Nullable GlobalBucket global;
    /** The debt of {@link #own} (see {@link RateSlots}). */
    private long ownDebt;

    ClientAdmission(Admission admission, LongSupplier nanoClock, boolean exempt) {
        this.admission = admission;
        this.nanoClock = nanoClock;
        this.exempt = exempt;
        if (!exempt) {
            follow(); // the client's bucket starts full at connect time, as it always did
        }
    }

    /** Takes the limits in force, if they changed: a new own bucket only when the client's rate did. */
    @SuppressWarnings("ReferenceEquality") // the same object means nothing changed: one compare per request
    private void follow() {
        Admission.Rates rates = admission.currentRates();
        if (rates == seen) {
            return;
        }
        RateLimit perClient = rates.perClient();
        if (seen == null || !Objects.equals(seen.perClient(), perClient)) {
            own = perClient == null ? null : new RateSlots(perClient, nanoClock.getAsLong());
            ownDebt = 0;
        }
        global = rates.global();
        seen = rates;
    }

    /**
     * Admits one request, taking its tokens, and returns 0; or refuses it, taking none, and
     * returns the nanoseconds until a request would be admitted (at least 1), for a client that
     * wants to say when to retry.
     */
    public long tryAdmit() {
        if (exempt) {
            return 0;
        }
        follow();
        if (own == null && global == null) {
            return 0;
        }
        long now = nanoClock.getAsLong();
        long slot = 0;
        if (own != null) {
            slot = own.slotAt(now);
            if (!own.hasToken(ownDebt, slot)) {
                admission.refusedByClientLimit();
                return Math.max(1, own.nanosUntilToken(ownDebt, now));
            }
        }
        if (global != null) {
            long wait = global.tryTake(now);
            if (wait != 0) {
                admission.refusedByGlobalLimit();
                return wait;
            }
        }
        if (own != null) {
            ownDebt = RateSlots.take(ownDebt, slot);
        }
        return 0;
    }

    /**
     * As {@link #tryAdmit()}, against the client's own bucket only: for a client that has not
     * authenticated yet, whose requests (each refused with NOAUTH but AUTH) must not spend the
     * tokens every client shares.
     */
    public long tryAdmitOwn() {
        if (exempt) {
            return 0;
        }
        follow();
        if (own == null) {
            return 0;
        }
        long now = nanoClock.getAsLong();
        long slot = own.slotAt(now);
        if (!own.hasToken(ownDebt, slot)) {
            admission.refusedByClientLimit();
            return Math.max(1, own.nanosUntilToken(ownDebt, now));
        }
        ownDebt = RateSlots.take(ownDebt, slot);
        return 0;
    }

    /** The counters of the {@link Admission} this client belongs to. */
    public AdmissionStats stats() {
        return admission.stats();
    }
}
