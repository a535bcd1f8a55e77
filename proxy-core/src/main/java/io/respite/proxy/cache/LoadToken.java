package io.respite.proxy.cache;

/**
 * Permission to fill one key after a miss, handed out by {@link StripedLruCache#beginLoad}. The
 * token turns stale when the key is invalidated or written (or {@link StripedLruCache#invalidateAll}
 * runs) after it was issued; a stale token installs nothing. Each token is used once: either
 * {@link StripedLruCache#completeLoad} or {@link StripedLruCache#abandonLoad}.
 *
 * <p>The coalescing hook is {@link #isFirst()}: only the first token issued for a key while no
 * other fill of it was in flight answers {@code true}; later ones answer {@code false}, so a caller
 * can wait for the first fill instead of reading upstream again.
 */
public final class LoadToken {

    final Stripe stripe;
    final Flight flight;
    private final boolean first;

    /** Whether the token was completed or abandoned. @GuardedBy("stripe.lock") */
    boolean done;

    LoadToken(Stripe stripe, Flight flight, boolean first) {
        this.stripe = stripe;
        this.flight = flight;
        this.first = first;
    }

    /** Returns whether no other fill of this key was in flight when this token was issued. */
    public boolean isFirst() {
        return first;
    }
}
