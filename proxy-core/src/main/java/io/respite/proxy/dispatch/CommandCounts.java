package io.respite.proxy.dispatch;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Commands counted by name and outcome, for the metrics, without a shared write on the request
 * path: each event loop counts in its own {@link Loop} (an array only that loop writes, with
 * release stores a reader on another thread sees whole), and a scrape sums the loops. Names get
 * ids once, process-wide, the first time they are seen; GET and MGET have fixed ones, so a cache
 * hit counts with one array store and no lookup. Beyond {@value #MAX_NAMES} names (a client
 * inventing command names), the rest count as {@code other}.
 *
 * <p>Thread-safe: {@link #loop(Object)} and {@link #forEach} from any thread; a {@link Loop} is written
 * by its own loop only.
 */
public final class CommandCounts {

    /** What became of a command. */
    public enum Outcome {
        /** A read answered from the cache. */
        HIT(0),
        /** A read that went upstream. */
        MISS(1),
        /** Sent to Redis: on the shared lane, a dedicated connection or a connection of its own. */
        FORWARDED(2),
        /** Answered by respite itself (PING, SELECT, AUTH, HELLO, CLIENT ...). */
        LOCAL(3),
        /** Refused by respite (denied, not authenticated, over its rate, not allowed now). */
        ERROR(4);

        /** The outcome's place among a name's counts. */
        final int index;

        final String label = name().toLowerCase(Locale.ROOT);

        Outcome(int index) {
            this.index = index;
        }
    }

    static final int MAX_NAMES = 1024;
    static final int GET = 0;
    static final int MGET = 1;
    private static final int OTHER = MAX_NAMES - 1;
    private static final int OUTCOMES = Outcome.values().length;

    private final Map<String, Integer> ids = new ConcurrentHashMap<>();
    private final String[] names = new String[MAX_NAMES];
    private final AtomicInteger nextId = new AtomicInteger(2);
    private final Map<Object, Loop> loops = new ConcurrentHashMap<>();

    CommandCounts() {
        ids.put("get", GET);
        ids.put("mget", MGET);
        names[GET] = "get";
        names[MGET] = "mget";
        names[OTHER] = "other";
    }

    /** The counts of the loop {@code owner} names (its lane), made on first use. */
    Loop loop(Object owner) {
        return loops.computeIfAbsent(owner, o -> new Loop());
    }

    /** The id of a command name (lower case), given on first sight. */
    int id(String name) {
        Integer id = ids.get(name);
        if (id != null) {
            return id;
        }
        synchronized (this) {
            id = ids.get(name);
            if (id == null) {
                int next = nextId.get();
                if (next >= OTHER) {
                    return OTHER;
                }
                names[next] = name;
                ids.put(name, next);
                nextId.set(next + 1);
                id = next;
            }
            return id;
        }
    }

    /** Receives one series: a command name, an outcome and its count since start. */
    @FunctionalInterface
    public interface Sink {
        void count(String name, String outcome, long count);
    }

    /** Every series with a count, summed over the loops. */
    public void forEach(Sink sink) {
        int known = nextId.get();
        for (int id = 0; id < MAX_NAMES; id++) {
            if (id >= known && id != OTHER) {
                continue;
            }
            for (Outcome outcome : Outcome.values()) {
                long sum = 0;
                for (Loop loop : loops.values()) {
                    sum += loop.counts.get(id * OUTCOMES + outcome.index);
                }
                if (sum > 0) {
                    sink.count(names[id], outcome.label, sum);
                }
            }
        }
    }

    /** Commands sent on to Redis since start, all names together. */
    public long forwarded() {
        long sum = 0;
        for (Loop loop : loops.values()) {
            for (int id = 0; id < MAX_NAMES; id++) {
                sum += loop.counts.get(id * OUTCOMES + Outcome.FORWARDED.index);
            }
        }
        return sum;
    }

    /** One event loop's counts; only that loop counts here. */
    static final class Loop {

        private final AtomicLongArray counts = new AtomicLongArray(MAX_NAMES * OUTCOMES);

        /** Counts one command; a single writer, so a plain read and a release store suffice. */
        void count(int id, Outcome outcome) {
            int i = id * OUTCOMES + outcome.index;
            counts.lazySet(i, counts.get(i) + 1);
        }
    }
}
