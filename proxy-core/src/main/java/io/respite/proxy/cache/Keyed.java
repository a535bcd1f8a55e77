package io.respite.proxy.cache;

import it.unimi.dsi.fastutil.Hash;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Something a stripe's hash tables can hold or look up: a binary key with its hash computed once,
 * and the links of the {@link KeyedList} that holds it. Stored elements ({@link Entry},
 * {@link Flight}) own a whole array; the lookup {@link Probe} points at a region of the caller's
 * array, which is how a lookup needs no wrapper object (its links stay null).
 */
abstract class Keyed {

    /** The key of an element not pointing at any key yet (a {@link Probe} between operations). */
    static final byte[] NO_KEY = new byte[0];

    /** The key bytes; for stored elements a private array that is never mutated. */
    byte[] key = NO_KEY;

    /** {@link #hash(byte[], int, int)} of the key region. */
    int hash;

    /** The neighbour towards the newest end of the list that holds this element, or null. */
    @Nullable
    Keyed newer;

    /** The neighbour towards the oldest end, or null. */
    @Nullable
    Keyed older;

    /** Start of the key region in {@link #key}. */
    int keyFrom() {
        return 0;
    }

    /** End (exclusive) of the key region in {@link #key}. */
    int keyTo() {
        return key.length;
    }

    /** The hash of a key region: the polynomial of {@link Arrays#hashCode(byte[])}, without allocation. */
    static int hash(byte[] bytes, int offset, int length) {
        int h = 1;
        for (int i = offset, end = offset + length; i < end; i++) {
            h = 31 * h + bytes[i];
        }
        return h;
    }

    /** Hash and equality by key content, shared by the entry table and the in-flight table. */
    static final Hash.Strategy<Keyed> STRATEGY = new Hash.Strategy<>() {
        @Override
        public int hashCode(Keyed k) {
            return k == null ? 0 : k.hash;
        }

        @Override
        public boolean equals(Keyed a, Keyed b) {
            if (a == b) {
                return true;
            }
            if (a == null || b == null || a.hash != b.hash) {
                return false;
            }
            return Arrays.equals(a.key, a.keyFrom(), a.keyTo(), b.key, b.keyFrom(), b.keyTo());
        }
    };
}
