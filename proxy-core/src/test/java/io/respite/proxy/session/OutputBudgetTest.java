package io.respite.proxy.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.session.OutputBudget.Verdict;
import org.junit.jupiter.api.Test;

class OutputBudgetTest {

    private static final long MB = 1024 * 1024;

    @Test
    void theFirstWindowIsSixteenRepliesOfTheInitialEstimate() {
        OutputBudget budget = new OutputBudget(0, 0, 0);
        assertFalse(budget.windowFull(15));
        assertTrue(budget.windowFull(16));
    }

    @Test
    void theEstimateJumpsToALargerReplyAndHalvesWithEachSmallerOne() {
        OutputBudget budget = new OutputBudget(0, 0, 0);
        budget.replyArrived((int) (2 * MB));
        assertEquals(2 * MB, budget.estimateBytes());
        assertTrue(budget.windowFull(2));
        assertFalse(budget.windowFull(1));
        budget.replyArrived(10);
        assertEquals(MB, budget.estimateBytes());
        for (int i = 0; i < 40; i++) {
            budget.replyArrived(10);
        }
        assertEquals(16, budget.estimateBytes(), "never below the floor");
        assertFalse(budget.windowFull(ClientSession.MAX_PENDING_REPLIES), "small replies: the count limit binds");
    }

    @Test
    void queuedRepliesCountAgainstTheWindow() {
        OutputBudget budget = new OutputBudget(0, 0, 0);
        budget.queued((int) (4 * MB));
        assertTrue(budget.windowFull(0));
        budget.dequeued((int) (4 * MB));
        assertFalse(budget.windowFull(0));
        assertEquals(0, budget.queuedBytes());
    }

    @Test
    void overTheHardLimitIsExceededAtOnce() {
        OutputBudget budget = new OutputBudget(10 * MB, 0, 0);
        assertEquals(Verdict.WITHIN, budget.check(10 * MB, 0));
        assertEquals(Verdict.EXCEEDED, budget.check(10 * MB + 1, 0));
    }

    @Test
    void overTheSoftLimitIsExceededOnlyAfterItsDuration() {
        OutputBudget budget = new OutputBudget(0, MB, 1_000);
        assertEquals(Verdict.OVER_SOFT, budget.check(2 * MB, 100));
        assertEquals(1_100, budget.softDeadlineNanos());
        assertEquals(Verdict.OVER_SOFT, budget.check(2 * MB, 1_099));
        assertEquals(Verdict.EXCEEDED, budget.check(2 * MB, 1_100));
    }

    @Test
    void droppingBelowTheSoftLimitRestartsItsClock() {
        OutputBudget budget = new OutputBudget(0, MB, 1_000);
        assertEquals(Verdict.OVER_SOFT, budget.check(2 * MB, 0));
        assertEquals(Verdict.WITHIN, budget.check(MB, 900));
        assertEquals(Verdict.OVER_SOFT, budget.check(2 * MB, 1_500));
        assertEquals(2_500, budget.softDeadlineNanos());
    }

    @Test
    void zeroTurnsBothLimitsOff() {
        OutputBudget budget = new OutputBudget(0, 0, 0);
        assertEquals(Verdict.WITHIN, budget.check(Long.MAX_VALUE, Long.MAX_VALUE));
    }
}
