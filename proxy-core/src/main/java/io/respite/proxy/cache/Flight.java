package io.respite.proxy.cache;

/**
 * A fill in flight for one key: the tokens handed out for that key since its last invalidation.
 * Held in the stripe's in-flight table and its list of flights by start ({@link KeyedList}).
 * Every field is guarded by the lock of the stripe that owns the key.
 */
final class Flight extends Keyed {

    /** Tokens of this flight not yet completed or abandoned. */
    int outstanding;

    /** Set once the key was invalidated or written (or the flight dropped): no token of it may install. */
    boolean stale;

    Flight(byte[] key, int keyHash) {
        this.key = key;
        this.hash = keyHash;
    }
}
