package io.respite.proxy.hotkeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded Zipf workloads on one recorder, with the clock moving so that sub-windows rotate, compared
 * at intervals with exact counting of the same reads over the same window (a map per sub-window):
 * the true top key is reported first, every key read more than reads / capacity times is reported,
 * every reported count brackets the true count, and an unreported key was read at most as often as
 * the summaries' minimum counters allow.
 */
class HotKeysModelTest {

    private static final int CAPACITY = 64;
    private static final int SUB_WINDOWS = 4;
    private static final Duration SUB_WINDOW = Duration.ofSeconds(10);
    private static final int KEYS = 5_000;
    private static final int STEPS = 60_000;
    private static final int CHECK_EVERY = 2_000;

    @RegisterExtension
    final HotKeysInvariants invariants = new HotKeysInvariants();

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void matchesExactCountsWithinTheErrorBound(long seed) {
        FakeClock clock = new FakeClock();
        HotKeys hotKeys = HotKeys.builder()
                .capacity(CAPACITY)
                .subWindows(SUB_WINDOWS)
                .subWindow(SUB_WINDOW)
                .nanoClock(clock)
                .build();
        Recorder recorder = invariants.track(hotKeys.recorder(Runnable::run));
        // Exponent 1.1 to 1.4: skewed enough that the first rank clearly leads in every window.
        Zipf zipf = new Zipf(KEYS, 1.1 + 0.05 * (seed % 7), seed);
        SplittableRandom random = new SplittableRandom(seed);
        // Exact reads per sub-window, keyed by the same epoch numbering as the recorder.
        TreeMap<Long, Map<String, Long>> exact = new TreeMap<>();
        long originNanos = clock.getAsLong();
        int checks = 0;
        for (int step = 1; step <= STEPS; step++) {
            String key = "key:" + scramble(zipf.next());
            byte[] bytes = key.getBytes(StandardCharsets.US_ASCII);
            // The key sits inside a larger buffer, as in a decoded command.
            byte[] buffer = new byte[bytes.length + 7];
            System.arraycopy(bytes, 0, buffer, 3, bytes.length);
            recorder.record(buffer, 3, bytes.length);
            long epoch = Math.floorDiv(clock.getAsLong() - originNanos, SUB_WINDOW.toNanos());
            exact.computeIfAbsent(epoch, e -> new HashMap<>()).merge(key, 1L, Long::sum);
            if (random.nextInt(1_000) == 0) {
                clock.advance(Duration.ofMillis(random.nextLong(SUB_WINDOW.toMillis() * 2)));
            }
            if (step % CHECK_EVERY == 0) {
                long now = Math.floorDiv(clock.getAsLong() - originNanos, SUB_WINDOW.toNanos());
                Map<String, Long> window = new HashMap<>();
                exact.tailMap(now - SUB_WINDOWS, false)
                        .values()
                        .forEach(m -> m.forEach((k, v) -> window.merge(k, v, Long::sum)));
                check(recorder, window, "seed " + seed + " step " + step);
                HotKeysInvariants.assertValid(recorder);
                checks++;
            }
        }
        assertEquals(STEPS / CHECK_EVERY, checks);
    }

    @Test
    void hashIsTheSameWhereverTheKeySits() {
        byte[] key = "user:1234567890:profile".getBytes(StandardCharsets.US_ASCII);
        byte[] buffer = new byte[key.length + 5];
        System.arraycopy(key, 0, buffer, 5, key.length);
        assertEquals(KeyHash.hash(key, 0, key.length), KeyHash.hash(buffer, 5, key.length));
        assertTrue(KeyHash.hash(key, 0, key.length - 1) != KeyHash.hash(key, 0, key.length));
    }

    private static void check(Recorder recorder, Map<String, Long> window, String what) {
        List<SpaceSaving.Frozen> parts = recorder.snapshot();
        long reads = 0;
        long minSum = 0;
        for (SpaceSaving.Frozen p : parts) {
            reads += p.reads;
            minSum += p.minCount;
        }
        long trueReads = window.values().stream().mapToLong(Long::longValue).sum();
        assertEquals(trueReads, reads, what + ": reads in the window");
        assertTrue(minSum > 0, what + ": the summaries must be full, so that replacements are compared too");
        List<HotKey> all = HotKeys.merge(parts, Integer.MAX_VALUE);
        Map<String, HotKey> reported = new HashMap<>();
        for (HotKey k : all) {
            reported.put(new String(k.key(), StandardCharsets.US_ASCII), k);
        }
        for (Map.Entry<String, Long> e : window.entrySet()) {
            long truth = e.getValue();
            HotKey k = reported.get(e.getKey());
            if (k == null) {
                assertTrue(truth <= minSum, what + ": unreported " + e.getKey() + " read " + truth + " > " + minSum);
                assertTrue(
                        truth * CAPACITY <= reads,
                        what + ": " + e.getKey() + " read " + truth + " of " + reads + " must be reported");
            } else {
                assertTrue(k.count() - k.error() <= truth && truth <= k.count(), what + ": " + k + " true " + truth);
            }
        }
        List<String> byTruth = new ArrayList<>(window.keySet());
        byTruth.sort((a, b) -> Long.compare(window.get(b), window.get(a)));
        List<HotKey> top = HotKeys.merge(parts, 20);
        assertTrue(top.size() == Math.min(20, all.size()), what + ": top 20 size");
        for (int i = 1; i < top.size(); i++) {
            assertTrue(top.get(i - 1).count() >= top.get(i).count(), what + ": sorted by count");
        }
        assertEquals(byTruth.get(0), new String(top.get(0).key(), StandardCharsets.US_ASCII), what + ": top key");
    }

    /** Spreads ranks over the key space, so the hottest keys are not neighbours. */
    private static int scramble(int rank) {
        return (int) ((rank * 2_654_435_761L) % 1_000_003);
    }
}
