package io.respite.proxy.cache;

/**
 * A source of nanosecond time for the cache. Only differences between readings are meaningful,
 * as with {@link System#nanoTime()}; readings must never go backwards. Injected so that tests
 * advance time by hand instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {

    /** The ticker of the running JVM: {@link System#nanoTime()}. */
    Ticker SYSTEM = System::nanoTime;

    /** Returns the current time in nanoseconds, in this ticker's own time base. */
    long readNanos();
}
