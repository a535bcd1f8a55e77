package io.respite.proxy.cache;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A fill in flight for one key: the tokens handed out for that key since its last invalidation,
 * and the misses waiting for its first token's value (single-flight). Held in the stripe's
 * in-flight table and its list of flights by start ({@link KeyedList}). Every field is guarded
 * by the lock of the stripe that owns the key.
 */
final class Flight extends Keyed {

    /** Tokens of this flight not yet completed or abandoned. */
    int outstanding;

    /** Set once the key was invalidated or written (or the flight dropped): no token of it may install. */
    boolean stale;

    /** The first token is outstanding: misses may still join it. */
    boolean leaderOutstanding;

    /** Whether misses may join the first token at all (a batch read's may not). */
    boolean joinable;

    /** Misses waiting for the first token's value; null when none. */
    @Nullable
    List<FillWaiter> waiters;

    /**
     * The value a read of this flight brought first (when its client was answered, or when it was
     * installed): a later read of the same flight that brings another value may be the older of
     * the two, so neither is kept.
     */
    byte @Nullable [] seen;

    Flight(byte[] key, int keyHash) {
        this.key = key;
        this.hash = keyHash;
    }

    void addWaiter(FillWaiter waiter) {
        if (waiters == null) {
            waiters = new ArrayList<>(4);
        }
        waiters.add(waiter);
    }

    /** Hands over the waiters, to be told outside the lock; null when none. */
    @Nullable
    List<FillWaiter> takeWaiters() {
        List<FillWaiter> taken = waiters;
        waiters = null;
        return taken;
    }
}
