package io.respite.proxy.hotkeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reports merge the recorders of several loops: counts of one key add up, bounds still hold. */
class HotKeysMergeTest {

    @RegisterExtension
    final HotKeysInvariants invariants = new HotKeysInvariants();

    private final FakeClock clock = new FakeClock();

    @Test
    void countsOfTheSameKeyInTwoLoopsAddUp() {
        HotKeys hotKeys = HotKeys.builder().nanoClock(clock).build();
        Recorder one = invariants.track(hotKeys.recorder(Runnable::run));
        Recorder two = invariants.track(hotKeys.recorder(Runnable::run));
        record(one, "shared", 100);
        record(two, "shared", 50);
        record(one, "only-one", 70);
        record(two, "only-two", 60);
        assertEquals(
                List.of("shared count=150 error=0", "only-one count=70 error=0", "only-two count=60 error=0"),
                hotKeys.top(20).join().stream().map(HotKey::toString).toList());
        assertEquals(1, hotKeys.top(1).join().size());
        assertEquals(List.of(), hotKeys.top(0).join());
    }

    @Test
    void fullSummariesOfThreeLoopsKeepTheBounds() {
        HotKeys hotKeys = HotKeys.builder().capacity(16).nanoClock(clock).build();
        Recorder[] loops = new Recorder[3];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = invariants.track(hotKeys.recorder(Runnable::run));
        }
        Map<String, Long> truth = new HashMap<>();
        SplittableRandom random = new SplittableRandom(7);
        Zipf zipf = new Zipf(500, 1.2, 7);
        for (int i = 0; i < 30_000; i++) {
            String key = "k" + zipf.next();
            truth.merge(key, 1L, Long::sum);
            record(loops[random.nextInt(loops.length)], key, 1);
        }
        List<HotKey> top = hotKeys.top(20).join();
        assertEquals("k0", new String(top.get(0).key(), StandardCharsets.US_ASCII));
        for (HotKey k : top) {
            long t = truth.get(new String(k.key(), StandardCharsets.US_ASCII));
            assertTrue(k.count() - k.error() <= t && t <= k.count(), k + " true " + t);
        }
        assertTrue(top.stream().anyMatch(k -> k.error() > 0), "the summaries must be full to test the bound");
    }

    @Test
    void aReportFailsWhenALoopRejectsTheSnapshot() {
        HotKeys hotKeys = HotKeys.builder().nanoClock(clock).build();
        invariants.track(hotKeys.recorder(task -> {
            throw new RejectedExecutionException("loop shut down");
        }));
        CompletionException e =
                assertThrows(CompletionException.class, () -> hotKeys.top(20).join());
        assertTrue(e.getCause() instanceof RejectedExecutionException, e.toString());
        assertThrows(IllegalArgumentException.class, () -> hotKeys.top(-1));
    }

    private static void record(Recorder r, String key, int times) {
        byte[] bytes = key.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < times; i++) {
            r.record(bytes, 0, bytes.length);
        }
    }
}
