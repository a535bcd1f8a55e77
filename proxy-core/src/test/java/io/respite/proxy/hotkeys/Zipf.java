package io.respite.proxy.hotkeys;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded Zipf sampler over ranks 0..n-1 (rank 0 the most frequent), by inverse CDF. */
final class Zipf {

    private final double[] cdf;
    private final double sum;
    private final SplittableRandom random;

    Zipf(int n, double exponent, long seed) {
        cdf = new double[n];
        double s = 0;
        for (int rank = 0; rank < n; rank++) {
            s += 1 / Math.pow(rank + 1, exponent);
            cdf[rank] = s;
        }
        sum = s;
        random = new SplittableRandom(seed);
    }

    int next() {
        int i = Arrays.binarySearch(cdf, random.nextDouble() * sum);
        return Math.min(i >= 0 ? i : -i - 1, cdf.length - 1);
    }
}
