package io.respite.proxy.dispatch;

import static io.respite.proxy.dispatch.Pinning.Sent.DISCARD;
import static io.respite.proxy.dispatch.Pinning.Sent.EXEC;
import static io.respite.proxy.dispatch.Pinning.Sent.MULTI;
import static io.respite.proxy.dispatch.Pinning.Sent.OTHER;
import static io.respite.proxy.dispatch.Pinning.Sent.UNWATCH;
import static io.respite.proxy.dispatch.Pinning.Sent.WATCH;
import static io.respite.proxy.dispatch.Pinning.State.SETTLING;
import static io.respite.proxy.dispatch.Pinning.State.SHARED;
import static io.respite.proxy.dispatch.Pinning.State.TRANSACTION;
import static io.respite.proxy.dispatch.Pinning.State.WATCHING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.resp.RespCommand;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pinning state machine, one case per transition of its diagram. */
class PinningTest {

    /** From a state reached by {@code path}, sending {@code sent} leads to {@code expected}. */
    @ParameterizedTest(name = "{0} then {1} -> {2}")
    @CsvSource({
        // from SHARED
        "'',              MULTI,   TRANSACTION",
        "'',              WATCH,   WATCHING",
        "'',              OTHER,   SETTLING",
        "'',              RELAY,   RELAYING",
        // from SETTLING (a blocking command in flight)
        "OTHER,           MULTI,   TRANSACTION",
        "OTHER,           WATCH,   WATCHING",
        "OTHER,           OTHER,   SETTLING",
        "OTHER,           RELAY,   RELAYING",
        // from WATCHING
        "WATCH,           MULTI,   TRANSACTION",
        "WATCH,           UNWATCH, SETTLING",
        "WATCH,           WATCH,   WATCHING",
        "WATCH,           OTHER,   WATCHING",
        "WATCH,           EXEC,    WATCHING",
        "WATCH,           RELAY,   RELAYING",
        // from TRANSACTION
        "MULTI,           EXEC,    SETTLING",
        "MULTI,           DISCARD, SETTLING",
        "MULTI,           MULTI,   TRANSACTION",
        "MULTI,           WATCH,   TRANSACTION",
        "MULTI,           UNWATCH, TRANSACTION",
        "MULTI,           OTHER,   TRANSACTION",
        "WATCH MULTI,     EXEC,    SETTLING",
        // from RELAYING: for good
        "RELAY,           MULTI,   RELAYING",
        "RELAY,           OTHER,   RELAYING",
    })
    void sendingMovesTheStateAsTheDiagramSays(String path, Pinning.Sent sent, Pinning.State expected) {
        Pinning pinning = at(path);
        pinning.sent(sent);
        assertEquals(expected, pinning.state());
        assertEquals(expected != SHARED, pinning.pinned());
    }

    @Test
    void settlingReturnsToSharedWhenTheLastReplyArrives() {
        Pinning pinning = new Pinning();
        int first = pinning.sent(OTHER);
        int second = pinning.sent(OTHER);
        pinning.replied(first);
        assertEquals(SETTLING, pinning.state(), "one reply still in flight");
        pinning.replied(second);
        assertEquals(SHARED, pinning.state());
        assertEquals(0, pinning.inFlight());
    }

    @Test
    void aTransactionEndsOnlyWhenExecIsAnswered() {
        Pinning pinning = new Pinning();
        int multi = pinning.sent(MULTI);
        pinning.replied(multi);
        assertEquals(TRANSACTION, pinning.state(), "MULTI answered: still in the transaction");
        int exec = pinning.sent(EXEC);
        assertEquals(SETTLING, pinning.state());
        pinning.replied(exec);
        assertEquals(SHARED, pinning.state());
    }

    @Test
    void watchingOutlivesItsReplies() {
        Pinning pinning = new Pinning();
        pinning.replied(pinning.sent(WATCH));
        pinning.replied(pinning.sent(OTHER));
        assertEquals(WATCHING, pinning.state());
        pinning.replied(pinning.sent(UNWATCH));
        assertEquals(SHARED, pinning.state());
    }

    @Test
    void resetReturnsToSharedFromEveryStateAndDropsTheTransaction() {
        for (String path : List.of("OTHER", "WATCH", "MULTI", "RELAY")) {
            Pinning pinning = at(path);
            RespCommand write = RespCommand.of("SET", "k", "v");
            pinning.transaction().queueWrite(0, write);
            pinning.reset();
            assertEquals(SHARED, pinning.state(), path);
            assertEquals(0, pinning.inFlight(), path);
            assertEquals(1, write.refCnt(), path + ": the transaction's writes are released");
            write.release();
        }
    }

    @Test
    void aReplyFromBeforeAResetDoesNotCountForTheNextConnection() {
        Pinning pinning = new Pinning();
        int old = pinning.sent(OTHER);
        pinning.reset();
        pinning.sent(WATCH);
        int blocking = pinning.sent(UNWATCH);
        pinning.replied(old);
        assertEquals(SETTLING, pinning.state(), "the dropped connection's failure arrived late: ignored");
        assertEquals(2, pinning.inFlight());
        pinning.replied(blocking);
        pinning.replied(blocking);
        assertEquals(SHARED, pinning.state());
    }

    @Test
    void aRefusedMultiRefusesUntilExecOrDiscard() {
        Pinning pinning = new Pinning();
        pinning.refuseTransaction();
        assertEquals(Pinning.State.REFUSED, pinning.state());
        assertTrue(pinning.transactionRefused());
        assertFalse(pinning.pinned(), "no connection is held");
        pinning.endRefusal();
        assertEquals(SHARED, pinning.state());
    }

    @Test
    void aRefusedWatchRefusesTheNextMultiOrEndsWithUnwatch() {
        Pinning pinning = new Pinning();
        pinning.refuseWatch();
        assertEquals(Pinning.State.WATCH_REFUSED, pinning.state());
        assertTrue(pinning.watchRefused());
        assertFalse(pinning.pinned());
        pinning.refuseTransaction();
        assertEquals(Pinning.State.REFUSED, pinning.state(), "MULTI after a refused WATCH");
        pinning.endRefusal();
        pinning.refuseWatch();
        pinning.endRefusal();
        assertEquals(SHARED, pinning.state(), "UNWATCH");
    }

    @Test
    void resetEndsARefusal() {
        Pinning pinning = new Pinning();
        pinning.refuseTransaction();
        pinning.reset();
        assertEquals(SHARED, pinning.state());
        pinning.refuseWatch();
        pinning.reset();
        assertEquals(SHARED, pinning.state());
    }

    @Test
    void nothingIsSentOnAConnectionWhileRefused() {
        Pinning pinning = new Pinning();
        pinning.refuseTransaction();
        assertThrows(IllegalStateException.class, () -> pinning.sent(OTHER));
    }

    @Test
    void multiStartsAFreshTransaction() {
        Pinning pinning = new Pinning();
        pinning.sent(MULTI);
        pinning.transaction().fail();
        pinning.transaction().queued(true);
        pinning.sent(DISCARD);
        pinning.sent(MULTI);
        assertFalse(pinning.transaction().failed());
        assertTrue(pinning.transaction().configGets().isEmpty());
        assertTrue(pinning.inTransaction());
    }

    /** A machine after the space-separated events of {@code path}, none of them answered yet. */
    private static Pinning at(String path) {
        Pinning pinning = new Pinning();
        for (String step : path.trim().split("\\s+")) {
            if (!step.isEmpty()) {
                pinning.sent(Pinning.Sent.valueOf(step));
            }
        }
        return pinning;
    }
}
