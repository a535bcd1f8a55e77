package io.respite.proxy.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The checker can fail. Corrupting a live cache would need a test-only hook in production code,
 * which we do not want; instead the list and heap checks run on small structures of real
 * {@link Entry} objects built here, once consistent and once broken.
 */
class CacheInvariantsTest {

    private static Entry entry(long deadlineNanos) {
        return new Entry(new byte[] {1}, 1, new byte[0], deadlineNanos);
    }

    @Test
    void listCheckAcceptsAConsistentListAndRejectsAOneWayLink() {
        KeyedList list = new KeyedList();
        Entry a = entry(0);
        Entry b = entry(0);
        Entry c = entry(0);
        list.addNewest(c);
        list.addNewest(b);
        list.addNewest(a);
        assertEquals(3, CacheInvariants.checkList(list));

        c.newer = a;
        assertThrows(AssertionFailedError.class, () -> CacheInvariants.checkList(list), "one-way link");
        c.newer = b;
        list.oldest = b;
        assertThrows(AssertionFailedError.class, () -> CacheInvariants.checkList(list), "wrong oldest");
    }

    @Test
    void heapCheckRejectsDisorderAndStaleIndices() {
        Entry low = entry(1);
        Entry high = entry(2);
        low.heapIndex = 0;
        high.heapIndex = 1;
        CacheInvariants.checkHeap(new Entry[] {low, high, null}, 2);

        assertThrows(AssertionFailedError.class, () -> CacheInvariants.checkHeap(new Entry[] {high, low}, 2));
        high.heapIndex = 0;
        assertThrows(AssertionFailedError.class, () -> CacheInvariants.checkHeap(new Entry[] {low, high}, 2));
    }
}
