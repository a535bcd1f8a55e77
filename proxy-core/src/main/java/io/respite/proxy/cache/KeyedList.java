package io.respite.proxy.cache;

import org.jspecify.annotations.Nullable;

/**
 * An intrusive doubly linked list of {@link Keyed} elements through their {@code newer} and
 * {@code older} links, newest first. A stripe keeps two: entries by recency (eviction takes the
 * oldest) and fills in flight by start (the oldest is dropped when the stripe has too many). An
 * element is in at most one list. Guarded by the lock of the stripe that owns it.
 */
final class KeyedList {

    /** The newest element, or null when empty. @GuardedBy("stripe.lock") */
    @Nullable
    Keyed newest;

    /** The oldest element, or null when empty. @GuardedBy("stripe.lock") */
    @Nullable
    Keyed oldest;

    void addNewest(Keyed e) {
        e.newer = null;
        e.older = newest;
        if (newest == null) {
            oldest = e;
        } else {
            newest.newer = e;
        }
        newest = e;
    }

    void unlink(Keyed e) {
        if (e.newer == null) {
            newest = e.older;
        } else {
            e.newer.older = e.older;
        }
        if (e.older == null) {
            oldest = e.newer;
        } else {
            e.older.newer = e.newer;
        }
        e.newer = null;
        e.older = null;
    }

    void moveToNewest(Keyed e) {
        if (e != newest) {
            unlink(e);
            addNewest(e);
        }
    }

    void clear() {
        newest = null;
        oldest = null;
    }
}
