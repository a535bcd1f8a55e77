package io.respite.proxy.http;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * HTTP requests answered, by route and status, for the metrics: a striped counter per route and
 * status, made the first time that pair is answered and found by index after, so that counting an
 * answer allocates nothing and loops do not contend. Thread-safe.
 */
public final class RequestCounts {

    /** The routes, by index: {@code /keys/{key}}, {@code /lookup}, seed 003's {@code /{key}}, and none. */
    static final int KEYS = 0;

    static final int LOOKUP = 1;
    static final int KEY = 2;
    static final int NONE = 3;

    private static final String[] ROUTES = {"keys", "lookup", "key", "none"};
    /** Statuses are below 600; one slot each per route. */
    private static final int STATUSES = 600;

    /** Receives one series. */
    @FunctionalInterface
    public interface Sink {
        void count(String route, String status, long count);
    }

    private final AtomicReferenceArray<LongAdder> counts = new AtomicReferenceArray<>(ROUTES.length * STATUSES);

    /** One more request of {@code route} (an index above) answered with {@code status}. */
    void count(int route, int status) {
        int slot = route * STATUSES + Math.min(status, STATUSES - 1);
        LongAdder count = counts.get(slot);
        if (count == null) {
            counts.compareAndSet(slot, null, new LongAdder());
            count = counts.get(slot);
        }
        count.increment();
    }

    /** Every series answered at least once, its count since start. */
    public void forEach(Sink sink) {
        for (int slot = 0; slot < counts.length(); slot++) {
            LongAdder count = counts.get(slot);
            if (count != null) {
                sink.count(ROUTES[slot / STATUSES], Integer.toString(slot % STATUSES), count.sum());
            }
        }
    }
}
