package io.respite.proxy.metrics;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * One registry of respite's metrics and its text exposition. Most figures are callbacks, read at
 * scrape time; {@link #histogram} is the exception, observed where the event happens. Names
 * follow Prometheus's conventions: {@code respite_} first, base units (seconds, bytes), counters
 * named without {@code _total}, which the exposition adds. Thread-safe.
 */
public final class Metrics {

    /** What {@code /metrics} answers with. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /** A counter read from {@code value} at each scrape. */
    public void counter(String name, String help, LongSupplier value) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .callback(callback -> callback.call((double) value.getAsLong()))
                .register(registry);
    }

    /**
     * A counter with one label, whose series {@code values} reports at each scrape: it calls the
     * given consumer with each label value and its count.
     */
    public void counter(String name, String help, String label, Consumer<BiConsumer<String, Long>> values) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames(label)
                .callback(callback -> values.accept((labelValue, count) -> callback.call((double) count, labelValue)))
                .register(registry);
    }

    /** A counter with two labels, reported as {@link #counter(String, String, String, Consumer)} does. */
    public void counter(String name, String help, String label1, String label2, Consumer<Labeled2> values) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames(label1, label2)
                .callback(callback ->
                        values.accept((value1, value2, count) -> callback.call((double) count, value1, value2)))
                .register(registry);
    }

    /** Receives one series of a two-label counter. */
    @FunctionalInterface
    public interface Labeled2 {
        void series(String value1, String value2, long count);
    }

    /** A gauge read from {@code value} at each scrape. */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .callback(callback -> callback.call(value.getAsDouble()))
                .register(registry);
    }

    /** A histogram in seconds with {@code bounds} as its buckets, observed by its owner. */
    public Histogram histogram(String name, String help, double... bounds) {
        return Histogram.builder()
                .name(name)
                .help(help)
                .unit(Unit.SECONDS)
                .classicOnly()
                .classicUpperBounds(bounds)
                .register(registry);
    }

    /** The JVM's own metrics (memory, GC, threads, classes) and Netty's network buffers. */
    public void jvm() {
        JvmMetrics.builder().register(registry);
        gauge(
                "respite_netty_direct_memory_used_bytes",
                "Direct memory Netty holds for network buffers (or -1 when Netty does not count it).",
                () -> PlatformDependent.usedDirectMemory());
        ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        if (allocator instanceof ByteBufAllocatorMetricProvider provider) {
            ByteBufAllocatorMetric metric = provider.metric();
            gauge(
                    "respite_netty_allocator_direct_bytes",
                    "Direct memory held by Netty's default allocator, in use or pooled.",
                    metric::usedDirectMemory);
            gauge(
                    "respite_netty_allocator_heap_bytes",
                    "Heap memory held by Netty's default allocator, in use or pooled.",
                    metric::usedHeapMemory);
        }
    }

    /** Every metric in the Prometheus text format (version 0.0.4), UTF-8. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }
}
