package io.respite.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProgressWatchTest {

    /**
     * Ticks of 100 ns, a timeout of 400 ns: stalled on the fifth tick without a frame (the first is
     * not a full period).
     */
    private final ProgressWatch watch = new ProgressWatch(100, 400);

    @Test
    void aStalledHeadIsDetectedAfterTheTimeoutWorthOfTicks() {
        for (int tick = 1; tick <= 4; tick++) {
            assertFalse(watch.tick(true), "tick " + tick);
        }
        assertTrue(watch.tick(true));
    }

    @Test
    void anyFrameIsProgress() {
        for (int i = 0; i < 20; i++) {
            watch.frameArrived();
            assertFalse(watch.tick(true), "round " + i);
        }
    }

    @Test
    void nothingExpectedIsNeverAStall() {
        for (int i = 0; i < 20; i++) {
            assertFalse(watch.tick(false));
        }
    }

    @Test
    void aRelayedCommandExpectsSomeFrame() {
        watch.awaitFrame();
        for (int tick = 1; tick <= 4; tick++) {
            assertFalse(watch.tick(false));
        }
        assertTrue(watch.tick(false));
        watch.reset();
        assertFalse(watch.tick(false), "reset: nothing awaited any more");
    }

    @Test
    void aFrameEndsTheWaitForOne() {
        watch.awaitFrame();
        watch.tick(false);
        watch.frameArrived();
        for (int i = 0; i < 10; i++) {
            assertFalse(watch.tick(false));
        }
    }
}
