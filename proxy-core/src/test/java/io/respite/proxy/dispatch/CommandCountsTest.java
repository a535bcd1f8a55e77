package io.respite.proxy.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CommandCountsTest {

    @Test
    void loopsCountApartAndAScrapeSumsThem() {
        CommandCounts counts = new CommandCounts();
        CommandCounts.Loop a = counts.loop("a");
        CommandCounts.Loop b = counts.loop("b");
        a.count(CommandCounts.GET, CommandCounts.Outcome.HIT);
        b.count(CommandCounts.GET, CommandCounts.Outcome.HIT);
        b.count(counts.id("set"), CommandCounts.Outcome.FORWARDED);
        a.count(counts.id("ping"), CommandCounts.Outcome.LOCAL);
        assertEquals(counts.id("set"), counts.id("set"), "one id per name");
        assertEquals(Map.of("get hit", 2L, "set forwarded", 1L, "ping local", 1L), series(counts), "no zero series");
        assertEquals(1, counts.forwarded());
        assertTrue(counts.loop("a") == a, "one Loop per owner");
    }

    @Test
    void namesBeyondTheLimitCountAsOther() {
        CommandCounts counts = new CommandCounts();
        CommandCounts.Loop loop = counts.loop("a");
        for (int i = 0; i < CommandCounts.MAX_NAMES + 10; i++) {
            loop.count(counts.id("made-up-" + i), CommandCounts.Outcome.FORWARDED);
        }
        Map<String, Long> series = series(counts);
        assertEquals(CommandCounts.MAX_NAMES - 2, series.size(), "get and mget have ids but no counts");
        assertEquals(13L, series.get("other forwarded"), "the names that found no id, and the last one's");
    }

    @Test
    void aReaderOnAnotherThreadSeesCountsOnlyGrow() throws Exception {
        CommandCounts counts = new CommandCounts();
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] writers = new Thread[2];
        for (int w = 0; w < writers.length; w++) {
            CommandCounts.Loop loop = counts.loop(w);
            writers[w] = new Thread(() -> {
                while (!stop.get()) {
                    loop.count(CommandCounts.GET, CommandCounts.Outcome.HIT);
                }
            });
            writers[w].start();
        }
        long last = 0;
        for (int i = 0; i < 10_000; i++) {
            long now = series(counts).getOrDefault("get hit", 0L);
            assertTrue(now >= last, now + " after " + last);
            last = now;
        }
        stop.set(true);
        for (Thread writer : writers) {
            writer.join();
        }
        assertTrue(last > 0);
    }

    private static Map<String, Long> series(CommandCounts counts) {
        Map<String, Long> series = new HashMap<>();
        counts.forEach((name, outcome, count) -> series.put(name + " " + outcome, count));
        return series;
    }
}
