package io.respite.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delaysDoubleUpToTheMaximumWithJitterInTheUpperHalfOfEachStep() {
        Random random = new Random(42);
        Backoff backoff = new Backoff(bound -> random.nextLong(bound));
        long step = UpstreamSettings.MIN_BACKOFF_MILLIS;
        for (int attempt = 0; attempt < 20; attempt++) {
            long delay = backoff.nextDelayMillis();
            assertTrue(delay >= step / 2 && delay <= step, "attempt " + attempt + ": " + delay + " in step " + step);
            step = Math.min(UpstreamSettings.MAX_BACKOFF_MILLIS, step * 2);
        }
    }

    @Test
    void theExtremesOfTheJitterAreTheHalfAndTheWholeStep() {
        Backoff lowest = new Backoff(bound -> 0);
        Backoff highest = new Backoff(bound -> bound - 1);
        assertEquals(List.of(25L, 50L, 100L, 200L, 400L, 800L, 1000L, 1000L), delays(lowest, 8));
        assertEquals(List.of(50L, 100L, 200L, 400L, 800L, 1600L, 2000L, 2000L), delays(highest, 8));
    }

    @Test
    void resetStartsOverFromTheShortestDelay() {
        Backoff backoff = new Backoff(bound -> bound - 1);
        delays(backoff, 10);
        backoff.reset();
        assertEquals(UpstreamSettings.MIN_BACKOFF_MILLIS, backoff.nextDelayMillis());
    }

    private static List<Long> delays(Backoff backoff, int count) {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            delays.add(backoff.nextDelayMillis());
        }
        return delays;
    }
}
