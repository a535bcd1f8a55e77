package io.respite.proxy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Polls a condition until it holds or a deadline passes: the tests' replacement for sleeping. */
final class Await {

    /** Pause between two polls, in milliseconds: short, so a test waits about as long as the condition takes. */
    private static final long POLL_INTERVAL_MILLIS = 10;

    private Await() {}

    /** A condition that may throw, such as a call over a socket. */
    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Returns once {@code condition} holds; fails the test naming {@code what} when it still does
     * not after {@code timeout}. An exception from the condition counts as "not yet" until the
     * deadline, then becomes the failure's cause.
     */
    static void until(String what, Duration timeout, Condition condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        for (; ; ) {
            try {
                if (condition.holds()) {
                    return;
                }
                last = null;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError error =
                        new AssertionError("timed out after " + timeout.toMillis() + " ms waiting until " + what);
                if (last != null) {
                    error.initCause(last);
                }
                throw error;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_INTERVAL_MILLIS));
        }
    }
}
