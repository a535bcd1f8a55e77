package io.respite.proxy.cache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker the test moves by hand; thread-safe, starts at an arbitrary non-zero time. */
final class FakeTicker implements Ticker {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);

    @Override
    public long readNanos() {
        return nanos.get();
    }

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    void advanceNanos(long d) {
        nanos.addAndGet(d);
    }
}
