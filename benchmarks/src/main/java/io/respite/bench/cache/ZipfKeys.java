package io.respite.bench.cache;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Pre-computed workload: {@code keySpace} distinct 16-byte keys and a trace of key indices drawn
 * from a Zipf distribution (exponent {@value #EXPONENT}, as YCSB), with rank scrambled over the
 * key space so the hot keys are not neighbours. Seeded, so every run and both caches see the same
 * keys in the same order.
 */
public final class ZipfKeys {

    /** Zipf exponent. */
    public static final double EXPONENT = 0.99;

    /** Bytes per key. */
    public static final int KEY_BYTES = 16;

    public final byte[][] keys;
    public final int[] trace;

    public ZipfKeys(int keySpace, int traceLength, long seed) {
        keys = new byte[keySpace][];
        for (int i = 0; i < keySpace; i++) {
            keys[i] = String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
        }
        double[] cdf = new double[keySpace];
        double sum = 0;
        for (int rank = 0; rank < keySpace; rank++) {
            sum += 1 / Math.pow(rank + 1, EXPONENT);
            cdf[rank] = sum;
        }
        int[] keyOfRank = new int[keySpace];
        for (int i = 0; i < keySpace; i++) {
            keyOfRank[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = keySpace - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = keyOfRank[i];
            keyOfRank[i] = keyOfRank[j];
            keyOfRank[j] = t;
        }
        trace = new int[traceLength];
        for (int i = 0; i < traceLength; i++) {
            int rank = Arrays.binarySearch(cdf, random.nextDouble() * sum);
            trace[i] = keyOfRank[rank >= 0 ? rank : Math.min(-rank - 1, keySpace - 1)];
        }
    }
}
