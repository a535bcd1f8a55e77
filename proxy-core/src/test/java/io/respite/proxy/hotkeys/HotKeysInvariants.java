package io.respite.proxy.hotkeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The invariants of the hot-keys summaries and recorders, numbered as in the design comment of
 * {@link HotKeys}, checked on every recorder a test tracks after the test ends (the test must have
 * stopped the recorder's thread by then). The static checks are also callable mid-test, on the
 * recorder's own thread.
 */
final class HotKeysInvariants implements AfterEachCallback {

    private final List<Recorder> recorders = new ArrayList<>();

    /** Returns {@code recorder}, to be checked after the test. */
    Recorder track(Recorder recorder) {
        recorders.add(recorder);
        return recorder;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            for (Recorder r : recorders) {
                assertValid(r);
            }
        } finally {
            recorders.clear();
        }
    }

    /** Checks every summary of the recorder, and that its ring holds only sub-windows of the window. */
    static void assertValid(Recorder r) {
        int n = r.ring.length;
        int current = (int) Math.floorMod(r.epoch, (long) n);
        assertEquals(r.epoch, r.epochs[current], "ring: the current slot holds the current sub-window");
        for (int i = 0; i < n; i++) {
            long e = r.epochs[i];
            if (e == Recorder.NO_EPOCH) {
                assertEquals(0, r.ring[i].size, "ring: a slot without sub-window is empty");
            } else {
                assertTrue(e > r.epoch - n && e <= r.epoch, "ring: epoch " + e + " outside the window of " + r.epoch);
                assertEquals(i, (int) Math.floorMod(e, (long) n), "ring: sub-window in its slot");
            }
            assertValid(r.ring[i]);
        }
    }

    /** Checks invariants 1 to 4 of one summary. Reads only. */
    static void assertValid(SpaceSaving s) {
        assertTrue(s.size <= s.capacity, "invariant 1: size " + s.size + " <= capacity " + s.capacity);
        assertEquals(s.size, s.slotOfHash.size(), "invariant 1: one map entry per counter");
        for (int slot = 0; slot < s.size; slot++) {
            assertEquals(slot, s.slotOfHash.get(s.hashes[slot]), "invariant 1: map finds slot " + slot);
        }
        boolean[] seen = new boolean[s.size];
        for (int i = 0; i < s.size; i++) {
            int slot = s.heap[i];
            assertTrue(slot >= 0 && slot < s.size && !seen[slot], "invariant 2: heap holds each slot once");
            seen[slot] = true;
            assertEquals(i, s.heapIndex[slot], "invariant 2: heapIndex[heap[i]] == i");
            if (i > 0) {
                assertTrue(s.counts[s.heap[(i - 1) / 2]] <= s.counts[slot], "invariant 2: heap order at " + i);
            }
        }
        long sum = 0;
        long min = s.minCount();
        for (int slot = 0; slot < s.size; slot++) {
            sum += s.counts[slot];
            assertTrue(s.errors[slot] >= 0 && s.errors[slot] < s.counts[slot], "invariant 3: 0 <= error < count");
            // Replacements happen only when full, so a summary that is not full has exact counts.
            assertTrue(
                    s.size == s.capacity ? s.errors[slot] <= min : s.errors[slot] == 0,
                    "invariant 3: error <= minCount (0 when not full)");
        }
        assertEquals(s.reads, sum, "invariant 3: reads == sum of counts");
        long retained = 0;
        for (byte[] k : s.keys) {
            assertTrue(k.length <= s.maxKeyBytes, "invariant 4: key array " + k.length + " <= " + s.maxKeyBytes);
            retained += k.length;
        }
        assertEquals(retained, s.retainedKeyBytes());
        assertTrue(retained <= (long) s.capacity * s.maxKeyBytes, "invariant 4: retained " + retained);
    }
}
