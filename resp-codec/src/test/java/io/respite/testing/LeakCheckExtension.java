package io.respite.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty reported a buffer leak. Registered for every test class through JUnit's
 * extension auto-detection (service file in this test-jar, switched on in the parent pom).
 *
 * <p>Netty finds a leak only when the garbage collector has cleared a tracked buffer and a later
 * allocation polls the detector's reference queue. After each test we check what is already
 * known (cheap); after each class we force collection and poll, so a leak is pinned to the class
 * that made it, not to whichever test allocates next.
 */
public final class LeakCheckExtension implements AfterEachCallback, AfterAllCallback {

    /** Rounds of collect-then-poll after a class; two were enough in practice, three for margin. */
    private static final int GC_ROUNDS = 3;

    @Override
    public void afterEach(ExtensionContext context) {
        failOnReports(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.DISABLED) {
            return;
        }
        for (int i = 0; i < GC_ROUNDS; i++) {
            System.gc();
            // Let the reference handler enqueue what the collection cleared.
            Thread.sleep(20);
            pollDetectors();
        }
        failOnReports(context);
    }

    /**
     * Allocating a tracked buffer makes the detector drain its reference queue. All ByteBufs share
     * one detector; unpooled heap buffers are not tracked, so allocate a pooled one.
     */
    static void pollDetectors() {
        ByteBuf probe = PooledByteBufAllocator.DEFAULT.heapBuffer(1);
        probe.release();
    }

    private static void failOnReports(ExtensionContext context) {
        List<String> reports = LeakFailingDetector.drainReports();
        if (!reports.isEmpty()) {
            throw new AssertionError(reports.size() + " buffer leak(s) detected after " + context.getDisplayName()
                    + ":\n" + String.join("\n\n", reports));
        }
    }
}
