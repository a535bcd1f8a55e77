package io.respite.proxy.hotkeys;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The 64-bit hash that identifies a key in the summaries: MurmurHash3's x64 block mix over 8-byte
 * little-endian words and its fmix64 finaliser. 64 bits because a summary holds keys by hash alone
 * (no byte comparison on the record path): two keys merge only on a full 64-bit collision.
 */
final class KeyHash {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** MurmurHash3 x64 multiplier of a block, first. */
    private static final long C1 = 0x87c37b91114253d5L;

    /** MurmurHash3 x64 multiplier of a block, second. */
    private static final long C2 = 0x4cf5ad432745937fL;

    /** Arbitrary seed, fixed so that a key hashes the same in every recorder and every run. */
    private static final long SEED = 0x9E3779B97F4A7C15L;

    private KeyHash() {}

    /** Hashes {@code bytes[offset, offset + length)}; allocates nothing. */
    static long hash(byte[] bytes, int offset, int length) {
        long h = SEED;
        int i = offset;
        int end = offset + length;
        for (; i <= end - 8; i += 8) {
            h ^= mixBlock((long) LONGS.get(bytes, i));
            h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
        }
        if (i < end) {
            long tail = 0;
            for (int shift = 0; i < end; i++, shift += 8) {
                tail |= (bytes[i] & 0xFFL) << shift;
            }
            h ^= mixBlock(tail);
        }
        return fmix64(h ^ length);
    }

    private static long mixBlock(long k) {
        return Long.rotateLeft(k * C1, 31) * C2;
    }

    private static long fmix64(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
