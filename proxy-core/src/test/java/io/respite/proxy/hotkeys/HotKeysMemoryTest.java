package io.respite.proxy.hotkeys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 1,000,000 distinct keys plus a hot one: the recorder's own accounting stays within its fixed
 * bounds (counters, retained key bytes) and the hot key is still reported first; keys longer than
 * maxKeyBytes are counted whole and retained truncated.
 */
class HotKeysMemoryTest {

    private static final int DISTINCT = 1_000_000;
    private static final int HOT_EVERY = 10;

    @RegisterExtension
    final HotKeysInvariants invariants = new HotKeysInvariants();

    @Test
    void aMillionDistinctKeysKeepMemoryBoundedAndTheHotKeyFirst() {
        HotKeys hotKeys = HotKeys.builder().nanoClock(new FakeClock()).build();
        Recorder recorder = invariants.track(hotKeys.recorder(Runnable::run));
        byte[] hot = "hot:key:00000001".getBytes(StandardCharsets.US_ASCII);
        byte[] key = new byte[16];
        for (int i = 0; i < DISTINCT; i++) {
            // key:%012d without String.format, which would dominate the run.
            key[0] = 'k';
            key[1] = 'e';
            key[2] = 'y';
            key[3] = ':';
            for (int d = 15, v = i; d >= 4; d--, v /= 10) {
                key[d] = (byte) ('0' + v % 10);
            }
            recorder.record(key, 0, key.length);
            if (i % HOT_EVERY == 0) {
                recorder.record(hot, 0, hot.length);
            }
        }
        int maxEntries = HotKeys.DEFAULT_SUB_WINDOWS * HotKeys.DEFAULT_CAPACITY;
        assertTrue(recorder.entries() <= maxEntries, "entries " + recorder.entries() + " <= " + maxEntries);
        // Every key here is 16 bytes and arrays are reused on replacement: 16 per counter.
        assertTrue(recorder.retainedKeyBytes() <= 16L * maxEntries, "retained " + recorder.retainedKeyBytes());
        HotKeysInvariants.assertValid(recorder);

        List<HotKey> top = hotKeys.top(20).join();
        assertEquals(20, top.size());
        assertArrayEquals(hot, top.get(0).key());
        long hotReads = DISTINCT / HOT_EVERY;
        assertTrue(top.get(0).count() - top.get(0).error() <= hotReads
                && hotReads <= top.get(0).count());
        // The hot key never left the summary, so its count is exact; the rest are noise with large errors.
        assertEquals(hotReads, top.get(0).count());
        assertEquals(0, top.get(0).error());
        assertTrue(top.get(1).count() - top.get(1).error() <= 1, top.get(1).toString());
    }

    @Test
    void longKeysAreCountedWholeAndRetainedTruncated() {
        int maxKeyBytes = 32;
        HotKeys hotKeys = HotKeys.builder()
                .capacity(8)
                .maxKeyBytes(maxKeyBytes)
                .nanoClock(new FakeClock())
                .build();
        Recorder recorder = invariants.track(hotKeys.recorder(Runnable::run));
        byte[] a = new byte[10_000];
        byte[] b = new byte[10_000];
        Arrays.fill(a, (byte) 'a');
        Arrays.fill(b, (byte) 'a');
        // Same first 32 bytes, different keys: counted apart.
        b[9_999] = 'b';
        for (int i = 0; i < 1_000; i++) {
            recorder.record(a, 0, a.length);
            recorder.record(new byte[200 + i], 0, 200 + i);
        }
        recorder.record(b, 0, b.length);
        HotKeysInvariants.assertValid(recorder);
        assertTrue(recorder.retainedKeyBytes() <= HotKeys.DEFAULT_SUB_WINDOWS * 8L * maxKeyBytes);

        List<HotKey> top = hotKeys.top(20).join();
        HotKey first = top.get(0);
        assertEquals(1_000, first.count());
        assertTrue(first.truncated());
        assertEquals(10_000, first.keyLength());
        assertArrayEquals(Arrays.copyOf(a, maxKeyBytes), first.key());
        assertFalse(top.stream().skip(1).anyMatch(k -> k.count() >= 1_000), top.toString());
    }
}
