package io.respite.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leak check must actually see a leak, or its silence means nothing. */
class LeakCheckTest {

    @Test
    void anUnreleasedBufferIsReported() throws InterruptedException {
        leakOne();
        List<String> reports = List.of();
        for (int i = 0; i < 50 && reports.isEmpty(); i++) {
            System.gc();
            Thread.sleep(10);
            LeakCheckExtension.pollDetectors();
            reports = LeakFailingDetector.drainReports();
        }
        assertTrue(
                reports.stream().anyMatch(r -> r.contains("LEAK: ByteBuf.release() was not called")),
                "expected a leak report, got " + reports);
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.heapBuffer(16);
        leaked.writeInt(42);
        leaked.touch("intentional leak: LeakCheckTest proves the leak check works");
    }
}
