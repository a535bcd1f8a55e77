package io.respite.proxy.hotkeys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sliding window: sub-windows older than the window stop counting, on records and on reports. */
class HotKeysWindowTest {

    private static final int SUB_WINDOWS = 6;
    private static final Duration SUB_WINDOW = Duration.ofSeconds(10);

    @RegisterExtension
    final HotKeysInvariants invariants = new HotKeysInvariants();

    private final FakeClock clock = new FakeClock();
    private final HotKeys hotKeys = HotKeys.builder()
            .subWindows(SUB_WINDOWS)
            .subWindow(SUB_WINDOW)
            .nanoClock(clock)
            .build();
    private final Recorder recorder = invariants.track(hotKeys.recorder(Runnable::run));

    @Test
    void aSubWindowCountsUntilItLeavesTheWindow() {
        record("a", 100);
        // The sub-window of the reads stays in the window for five more sub-window boundaries.
        for (int i = 1; i < SUB_WINDOWS; i++) {
            clock.advance(SUB_WINDOW);
            assertEquals(List.of("a count=100 error=0"), report(), "after " + i + " sub-windows");
            HotKeysInvariants.assertValid(recorder);
        }
        clock.advance(SUB_WINDOW);
        assertEquals(List.of(), report());
        assertEquals(0, recorder.entries());
    }

    @Test
    void aKeyHotAMinuteAgoButIdleNowDropsOut() {
        record("was-hot", 10_000);
        for (int i = 0; i < SUB_WINDOWS; i++) {
            clock.advance(SUB_WINDOW);
            record("now-warm", 10);
        }
        assertEquals(List.of("now-warm count=60 error=0"), report());
        HotKeysInvariants.assertValid(recorder);
    }

    @Test
    void countsSpanTheSubWindowsOfTheWindow() {
        record("k", 1);
        clock.advance(SUB_WINDOW.multipliedBy(2));
        record("k", 2);
        clock.advance(SUB_WINDOW.multipliedBy(3));
        record("k", 4);
        assertEquals(List.of("k count=7 error=0"), report());
        clock.advance(SUB_WINDOW);
        assertEquals(List.of("k count=6 error=0"), report());
        clock.advance(SUB_WINDOW.multipliedBy(2));
        assertEquals(List.of("k count=4 error=0"), report());
    }

    @Test
    void aLongIdleGapClearsTheWholeRing() {
        record("old", 5);
        clock.advance(Duration.ofHours(3));
        record("new", 1);
        assertEquals(List.of("new count=1 error=0"), report());
        HotKeysInvariants.assertValid(recorder);
    }

    @Test
    void aReadJustBeforeABoundaryBelongsToTheEarlierSubWindow() {
        // Move to just before a boundary of the recorder's sub-window numbering.
        long intoSubWindow = Math.floorMod(clock.getAsLong() - hotKeys.originNanos, SUB_WINDOW.toNanos());
        clock.advance(SUB_WINDOW.minusNanos(intoSubWindow + 1));
        record("edge", 3);
        long epoch = recorder.epoch;
        clock.advance(Duration.ofNanos(1));
        record("edge", 1);
        assertEquals(epoch + 1, recorder.epoch);
        clock.advance(SUB_WINDOW.multipliedBy(SUB_WINDOWS - 1));
        assertEquals(List.of("edge count=1 error=0"), report());
    }

    @Test
    void aCallersReadingRotatesAsTheClockWouldAndAStaleOneCountsNow() {
        byte[] key = "stamped".getBytes(StandardCharsets.US_ASCII);
        long stamp = clock.getAsLong();
        recorder.record(key, 0, key.length, stamp);
        // The recorder's own clock has not moved: the caller's later reading alone rotates.
        long later = stamp + SUB_WINDOW.toNanos() * SUB_WINDOWS;
        recorder.record(key, 0, key.length, later);
        recorder.record(key, 0, key.length, stamp);
        clock.advance(SUB_WINDOW.multipliedBy(SUB_WINDOWS));
        assertEquals(List.of("stamped count=2 error=0"), report());
        HotKeysInvariants.assertValid(recorder);
    }

    private void record(String key, int times) {
        byte[] bytes = key.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < times; i++) {
            recorder.record(bytes, 0, bytes.length);
        }
    }

    private List<String> report() {
        return hotKeys.top(20).join().stream().map(HotKey::toString).toList();
    }
}
