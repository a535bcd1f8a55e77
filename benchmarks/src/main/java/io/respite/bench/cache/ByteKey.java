package io.respite.bench.cache;

import java.util.Arrays;

/**
 * A binary key for Caffeine, which (like any {@code Map}) needs content equality that
 * {@code byte[]} lacks; the hash is computed once. It is part of what a binary-keyed Caffeine
 * cache costs per entry, and the footprint report lists it separately.
 */
final class ByteKey {

    private final byte[] bytes;
    private final int hash;

    ByteKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey k && hash == k.hash && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
