package io.respite.proxy.cache;

/**
 * The reusable lookup key of one stripe: points at a region of the caller's array for the duration
 * of one operation under the stripe lock, then forgets it. This is what makes a lookup allocation-free.
 */
final class Probe extends Keyed {

    // @GuardedBy("stripe.lock"), like every field of this object.
    private int from;
    private int to;

    Probe set(byte[] bytes, int offset, int length, int keyHash) {
        this.key = bytes;
        this.from = offset;
        this.to = offset + length;
        this.hash = keyHash;
        return this;
    }

    /** Drops the reference to the caller's array so the stripe does not keep it alive. */
    void clear() {
        this.key = NO_KEY;
    }

    @Override
    int keyFrom() {
        return from;
    }

    @Override
    int keyTo() {
        return to;
    }
}
