package io.respite.testing;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ResourceLeakDetector} that keeps every leak report so that {@link LeakCheckExtension}
 * can fail the test run on it. Installed for all test JVMs through the system property
 * {@code io.netty.customResourceLeakDetector} (see the parent pom), so every Netty detector the
 * JVM creates is one of these.
 */
public final class LeakFailingDetector<T> extends ResourceLeakDetector<T> {

    private static final List<String> REPORTS = new ArrayList<>();

    public LeakFailingDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    public LeakFailingDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        super(resourceType, samplingInterval);
    }

    /** Reports leaks even when no logger is configured at ERROR. */
    @Override
    protected boolean needReport() {
        return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        record("LEAK: " + resourceType + ".release() was not called before it was garbage-collected." + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        record("LEAK: " + resourceType + ".release() was not called before it was garbage-collected.");
        super.reportUntracedLeak(resourceType);
    }

    private static void record(String report) {
        synchronized (REPORTS) {
            REPORTS.add(report);
        }
    }

    /** Returns and forgets the reports collected so far. */
    static List<String> drainReports() {
        synchronized (REPORTS) {
            List<String> copy = new ArrayList<>(REPORTS);
            REPORTS.clear();
            return copy;
        }
    }
}
