package io.respite.proxy;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.respite.proxy.metrics.Metrics;
import io.respite.proxy.upstream.UpstreamObserver;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The upstream's figures: commands sent, answered and failed (striped counters), their latency
 * (a Prometheus histogram, lock-free per observation), and the recent p50 and p99 the dashboard
 * shows, estimated from the histogram's buckets over the last {@value #WINDOW_SECONDS} seconds.
 * Thread-safe: every loop observes; a reader takes {@link #recent()} under this object's lock,
 * which no loop takes.
 */
final class UpstreamFigures implements UpstreamObserver {

    /** Bucket bounds, in seconds: fine below a millisecond, where a healthy Redis answers. */
    private static final double[] BOUNDS = {
        0.00005, 0.0001, 0.0002, 0.0003, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05,
        0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };

    static final int WINDOW_SECONDS = 10;

    private static final long SAMPLE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LongAdder sent = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Histogram latency;

    /** Cumulative bucket counts sampled by {@link #recent()}, oldest first, at most a window's worth. */
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    UpstreamFigures(Metrics metrics) {
        latency = metrics.histogram(
                "respite_upstream_latency_seconds",
                "Time from sending a command on a shared upstream connection to its reply.",
                BOUNDS);
        metrics.counter(
                "respite_upstream_commands_sent", "Commands sent on the shared upstream connections.", sent::sum);
        metrics.counter(
                "respite_upstream_commands_failed",
                "Commands that got no reply (connection lost, timeout).",
                failed::sum);
        metrics.gauge("respite_upstream_commands_in_flight", "Commands sent and not yet answered.", this::inFlight);
    }

    @Override
    public void sent() {
        sent.increment();
    }

    @Override
    public void answered(long nanos) {
        answered.increment();
        latency.observe(nanos / 1e9);
    }

    @Override
    public void failed() {
        failed.increment();
    }

    /** Commands sent since start. */
    long sentTotal() {
        return sent.sum();
    }

    long inFlight() {
        return Math.max(0, sent.sum() - answered.sum() - failed.sum());
    }

    /** The p50 and p99 of the latency over about the last {@value #WINDOW_SECONDS} s, in milliseconds. */
    synchronized Quantiles recent() {
        long now = System.nanoTime();
        ClassicHistogramBuckets buckets =
                latency.collect().getDataPoints().get(0).getClassicBuckets();
        long[] cumulative = new long[buckets.size()];
        long total = 0;
        for (int i = 0; i < buckets.size(); i++) {
            total += buckets.getCount(i);
            cumulative[i] = total;
        }
        Sample newest = samples.peekLast();
        if (newest == null || now - newest.nanos >= SAMPLE_EVERY_NANOS) {
            // At most one sample a second, however often /stats is asked: the window stays small.
            samples.addLast(new Sample(now, cumulative));
        }
        long windowStart = now - TimeUnit.SECONDS.toNanos(WINDOW_SECONDS);
        while (samples.size() > 1 && samples.peekFirst().nanos < windowStart) {
            samples.removeFirst();
        }
        Sample oldest = samples.peekFirst();
        long[] delta = new long[cumulative.length];
        for (int i = 0; i < delta.length; i++) {
            // With one sample only (the first ask), the window is everything since start.
            delta[i] = cumulative[i] - (samples.size() == 1 ? 0 : oldest.cumulative[i]);
        }
        return new Quantiles(quantile(delta, buckets, 0.5), quantile(delta, buckets, 0.99));
    }

    /** p50 and p99 in milliseconds; null when nothing was answered in the window. */
    record Quantiles(@Nullable Double p50Millis, @Nullable Double p99Millis) {}

    /** The {@code q} quantile of the cumulative counts {@code delta}, interpolated within its bucket, in ms. */
    private static @Nullable Double quantile(long[] delta, ClassicHistogramBuckets buckets, double q) {
        long count = delta[delta.length - 1];
        if (count == 0) {
            return null;
        }
        double rank = q * count;
        for (int i = 0; i < delta.length; i++) {
            if (delta[i] >= rank) {
                double lower = i == 0 ? 0 : buckets.getUpperBound(i - 1);
                double upper = buckets.getUpperBound(i);
                if (Double.isInfinite(upper)) {
                    return lower * 1000;
                }
                long below = i == 0 ? 0 : delta[i - 1];
                long in = delta[i] - below;
                double fraction = in == 0 ? 1 : (rank - below) / in;
                return (lower + (upper - lower) * fraction) * 1000;
            }
        }
        return null;
    }

    /** The cumulative bucket counts at one moment. */
    private static final class Sample {
        final long nanos;
        final long[] cumulative;

        Sample(long nanos, long[] cumulative) {
            this.nanos = nanos;
            this.cumulative = cumulative;
        }
    }
}
