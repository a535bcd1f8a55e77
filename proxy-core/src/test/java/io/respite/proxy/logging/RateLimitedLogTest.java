package io.respite.proxy.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {

    private final Logger logger = Logger.getLogger(RateLimitedLogTest.class.getName() + ".probe");
    private final List<String> lines = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final AtomicLong now = new AtomicLong(1_000);

    RateLimitedLogTest() {
        logger.setUseParentHandlers(false);
        logger.addHandler(capture);
    }

    @AfterEach
    void detach() {
        logger.removeHandler(capture);
    }

    @Test
    void oneLinePerPeriodAndTheNextCountsWhatWasSuppressed() {
        RateLimitedLog log = new RateLimitedLog(logger, Level.WARNING, 100, now::get);
        assertTrue(log.log("first"));
        assertFalse(log.log("second"));
        now.addAndGet(99);
        assertFalse(log.log("third"));
        now.addAndGet(1);
        assertTrue(log.log("fourth"));
        assertEquals(List.of("first", "fourth (and 2 more like it since the last such line)"), lines);
    }

    @Test
    void aDisabledLevelWritesNothing() {
        logger.setLevel(Level.SEVERE);
        RateLimitedLog log = new RateLimitedLog(logger, Level.WARNING, 100, now::get);
        assertFalse(log.log("quiet"));
        assertEquals(List.of(), lines);
    }

    @Test
    void manyThreadsWriteOneLinePerPeriod() throws InterruptedException {
        RateLimitedLog log = new RateLimitedLog(logger, Level.WARNING, Long.MAX_VALUE, now::get);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 1_000; i++) {
                    log.log("event");
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        synchronized (lines) {
            assertEquals(1, lines.size());
        }
    }
}
