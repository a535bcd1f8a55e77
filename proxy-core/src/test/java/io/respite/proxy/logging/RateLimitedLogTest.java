package io.respite.proxy.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class RateLimitedLogTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(RateLimitedLogTest.class.getName() + ".probe");
    private final List<String> lines = new ArrayList<>();
    private final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            synchronized (lines) {
                lines.add(event.getFormattedMessage());
            }
        }
    };
    private final AtomicLong now = new AtomicLong(1_000);

    RateLimitedLogTest() {
        logger.setAdditive(false);
        capture.start();
        logger.addAppender(capture);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(capture);
        LogLevels.set(logger, null);
    }

    @Test
    void oneLinePerPeriodAndTheNextCountsWhatWasSuppressed() {
        RateLimitedLog log = new RateLimitedLog(logger, Level.WARN, 100, now::get);
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
        LogLevels.set(logger, "ERROR");
        RateLimitedLog log = new RateLimitedLog(logger, Level.WARN, 100, now::get);
        assertFalse(log.log("quiet"));
        assertEquals(List.of(), lines);
    }

    @Test
    void manyThreadsWriteOneLinePerPeriod() throws InterruptedException {
        RateLimitedLog log = new RateLimitedLog(logger, Level.WARN, Long.MAX_VALUE, now::get);
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
