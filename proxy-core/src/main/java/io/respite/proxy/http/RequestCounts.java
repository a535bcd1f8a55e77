package io.respite.proxy.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * HTTP requests answered, by route and status, for the metrics. Few series (a handful of routes
 * times the statuses they answer), each a striped counter: loops count without contending.
 * Thread-safe.
 */
public final class RequestCounts {

    /** Receives one series. */
    @FunctionalInterface
    public interface Sink {
        void count(String route, String status, long count);
    }

    private final Map<Series, LongAdder> counts = new ConcurrentHashMap<>();

    /** One more request of {@code route} answered with {@code status}. */
    void count(String route, int status) {
        counts.computeIfAbsent(new Series(route, status), series -> new LongAdder())
                .increment();
    }

    /** Every series, its count since start. */
    public void forEach(Sink sink) {
        counts.forEach((series, count) -> sink.count(series.route(), Integer.toString(series.status()), count.sum()));
    }

    private record Series(String route, int status) {}
}
