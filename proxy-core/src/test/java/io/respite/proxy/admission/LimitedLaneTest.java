package io.respite.proxy.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.respite.proxy.config.AdmissionOptions;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.resp.RespVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ops-limited lane over recording lanes: permits, per-lane order, the bounded queue, release
 * exactly once, the hand-off of a permit to another loop's lane, and the frames the queue owns.
 */
class LimitedLaneTest {

    /** What the clients' callbacks received, in order: "reply" or "error" text. */
    private final List<String> received = new ArrayList<>();

    private static Admission admission(int opsLimit, int queue) {
        return new Admission(new AdmissionOptions(opsLimit, queue, null, null));
    }

    private static ByteBuf frame(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    private ReplyCallback callback(String name) {
        return new ReplyCallback() {
            @Override
            public void onReply(ByteBuf frame) {
                received.add(name + " " + frame.toString(StandardCharsets.US_ASCII));
                frame.release();
            }

            @Override
            public void onFailure(String error) {
                received.add(name + " -" + error);
            }
        };
    }

    private void send(UpstreamLane lane, String command) {
        lane.send(0, RespVersion.RESP2, frame(command), callback(command));
    }

    @Test
    void withoutALimitTheLaneIsItselfAndWithOneTheWrapperIsMadeOnce() {
        RecordingLane below = new RecordingLane();
        assertSame(below, Admission.none().limit(below));
        Admission admission = admission(2, 10);
        UpstreamLane limited = admission.limit(below);
        assertNotSame(below, limited);
        assertSame(limited, admission.limit(below), "one wrapper per lane: per-loop state is keyed by it");
        assertEquals(7, limited.trackingEpoch(RespVersion.RESP2));
    }

    @Test
    void aClosedLaneIsForgottenAndItsPermitsStillCount() {
        RecordingLane below = new RecordingLane();
        Admission admission = admission(1, 10);
        UpstreamLane limited = admission.limit(below);
        send(limited, "a");
        admission.unlimit(below);
        assertNotSame(limited, admission.limit(below), "a lane closed and forgotten: a new wrapper if asked again");
        assertEquals(1, admission.stats().opsInFlight(), "what it sent still holds its permit until answered");
        below.next().fail("ERR upstream unavailable (closed)");
        assertEquals(0, admission.stats().opsInFlight());
    }

    @Test
    void beyondTheLimitCommandsWaitAndGoInOrderAsPermitsComeBack() {
        Admission admission = admission(2, 10);
        RecordingLane below = new RecordingLane();
        UpstreamLane lane = admission.limit(below);
        for (int i = 1; i <= 5; i++) {
            send(lane, "c" + i);
        }
        assertEquals(2, below.sent.size());
        assertEquals(new AdmissionStats(0, 0, 2, 3, 3, 0), admission.stats());
        for (int i = 1; i <= 5; i++) {
            RecordingLane.Sent next = below.next();
            assertEquals("c" + i, next.text(), "in the order sent");
            next.answer("+r" + i);
            assertTrue(admission.stats().opsInFlight() <= 2);
        }
        assertEquals(List.of("c1 +r1", "c2 +r2", "c3 +r3", "c4 +r4", "c5 +r5"), received);
        assertEquals(new AdmissionStats(0, 0, 0, 0, 3, 0), admission.stats());
    }

    @Test
    void aReloadMovesTheLimitAndAHigherOneSendsWhatWaits() {
        Admission admission = admission(1, 10);
        RecordingLane below = new RecordingLane();
        UpstreamLane lane = admission.limit(below);
        for (int i = 1; i <= 4; i++) {
            send(lane, "c" + i);
        }
        assertEquals(1, below.sent.size());
        assertTrue(admission.opsLimit(3, 10));
        below.runTasks();
        assertEquals(3, below.sent.size(), "the lane was woken and sent two more");
        assertTrue(admission.opsLimit(1, 10));
        below.next().answer("+1");
        below.next().answer("+2");
        assertEquals(1, below.sent.size(), "none sent while in flight is at or over the lower limit");
        below.next().answer("+3");
        assertEquals(1, below.sent.size(), "then one at a time");
        below.next().answer("+4");
        assertEquals(List.of("c1 +1", "c2 +2", "c3 +3", "c4 +4"), received);

        assertFalse(admission.opsLimit(0, 10), "turning the limit off needs a restart");
        assertFalse(Admission.none().opsLimit(5, 10), "so does turning it on");
        assertTrue(Admission.none().opsLimit(0, 3));
    }

    @Test
    void aFullQueueRefusesAtOnceAndReleasesTheFrame() {
        Admission admission = admission(1, 1);
        RecordingLane below = new RecordingLane();
        UpstreamLane lane = admission.limit(below);
        send(lane, "sent");
        send(lane, "queued");
        ByteBuf refused = frame("refused");
        lane.send(0, RespVersion.RESP2, refused, callback("refused"));
        assertEquals(0, refused.refCnt(), "the refused frame is released");
        assertEquals(List.of("refused -ERR respite busy, upstream ops limit reached"), received);
        assertEquals(1, admission.stats().opsRefused());
        below.next().answer("+1");
        below.next().answer("+2");
        assertEquals(List.of("refused -" + Admission.BUSY, "sent +1", "queued +2"), received);
    }

    @Test
    void aFailureGivesThePermitBackAndASecondCallDoesNotGiveItTwice() {
        Admission admission = admission(1, 10);
        RecordingLane below = new RecordingLane();
        UpstreamLane lane = admission.limit(below);
        send(lane, "a");
        send(lane, "b");
        RecordingLane.Sent a = below.next();
        a.fail("ERR upstream unavailable (down)");
        RecordingLane.Sent b = below.next();
        assertEquals("b", b.text(), "b got a's permit");
        a.callback().onReply(frame("+late")); // a misbehaving lane: the permit is not given back again
        assertEquals(1, admission.stats().opsInFlight());
        send(lane, "c");
        assertTrue(below.sent.isEmpty(), "c waits: b holds the only permit");
        assertEquals(1, admission.stats().opsQueued());
        b.answer("+b");
        below.next().answer("+c");
        List<String> expected = List.of("a -ERR upstream unavailable (down)", "a +late", "b +b", "c +c");
        assertEquals(expected, received);
    }

    @Test
    void onceALaneQueuesLaterSendsQueueBehindEvenWhenAPermitIsFree() {
        Admission admission = admission(2, 10);
        RecordingLane belowA = new RecordingLane();
        RecordingLane belowB = new RecordingLane();
        UpstreamLane a = admission.limit(belowA);
        UpstreamLane b = admission.limit(belowB);
        send(a, "a1");
        send(b, "b1");
        send(a, "a2"); // no permit: queued
        belowB.next().answer("+b1"); // a permit frees; a's drain task is not run yet
        send(a, "a3");
        RecordingLane.Sent a1 = belowA.next();
        RecordingLane.Sent a2 = belowA.next();
        assertEquals("a1", a1.text());
        assertEquals("a2", a2.text(), "a2 first: it queued earlier");
        assertTrue(belowA.sent.isEmpty(), "a3 waits behind it");
        assertEquals(1, admission.stats().opsQueued());
        belowA.runTasks(); // the wake-up finds no permit: harmless
        assertTrue(belowA.sent.isEmpty());
        a1.answer("+a1");
        a2.answer("+a2");
        belowA.next().answer("+a3");
        assertEquals(List.of("b1 +b1", "a1 +a1", "a2 +a2", "a3 +a3"), received);
    }

    @Test
    void aPermitFreedOnOneLoopWakesAnotherLoopsQueue() {
        Admission admission = admission(1, 10);
        RecordingLane belowA = new RecordingLane();
        RecordingLane belowB = new RecordingLane();
        UpstreamLane a = admission.limit(belowA);
        UpstreamLane b = admission.limit(belowB);
        send(a, "a1");
        send(b, "b1");
        send(b, "b2");
        assertTrue(belowB.sent.isEmpty());
        belowA.next().answer("+a1");
        assertTrue(belowB.sent.isEmpty(), "b drains on its own loop");
        belowB.runTasks();
        RecordingLane.Sent b1 = belowB.next();
        assertEquals("b1", b1.text());
        assertTrue(belowB.sent.isEmpty(), "one permit, one command");
        assertEquals(new AdmissionStats(0, 0, 1, 1, 2, 0), admission.stats());
        b1.answer("+b1");
        belowB.next().answer("+b2");
        assertEquals(0, admission.stats().opsInFlight());
    }

    @Test
    void aLaneThatKeepsAQueueYieldsAFreedPermitToAnotherHungryLoop() {
        Admission admission = admission(1, 10);
        RecordingLane belowA = new RecordingLane();
        RecordingLane belowB = new RecordingLane();
        UpstreamLane a = admission.limit(belowA);
        UpstreamLane b = admission.limit(belowB);
        send(a, "a1");
        send(a, "a2");
        send(a, "a3");
        send(b, "b1");
        // a1's permit comes back while a still has a queue: b, hungry, is woken first, and a waits
        // for a task of its own instead of taking the permit back at once.
        belowA.next().answer("+a1");
        assertTrue(belowA.sent.isEmpty(), "a yields");
        belowB.runTasks();
        belowA.runTasks();
        RecordingLane.Sent b1 = belowB.next();
        assertEquals("b1", b1.text());
        assertTrue(belowA.sent.isEmpty(), "b took the permit: a stays hungry");
        b1.answer("+b1");
        belowA.runTasks();
        belowA.next().answer("+a2");
        belowA.next().answer("+a3");
        assertEquals(List.of("a1 +a1", "b1 +b1", "a2 +a2", "a3 +a3"), received);
        assertEquals(0, admission.stats().opsInFlight());
        assertEquals(0, admission.stats().opsQueued());
    }

    @Test
    void outOfBandCommandsNeverWait() {
        Admission admission = admission(1, 10);
        RecordingLane below = new RecordingLane();
        UpstreamLane lane = admission.limit(below);
        send(lane, "busy");
        send(lane, "queued");
        lane.sendOutOfBand(RespVersion.RESP2, frame("SCRIPT KILL"), callback("kill"));
        assertEquals(List.of("SCRIPT KILL"), List.copyOf(below.outOfBand));
        below.next().answer("+ok");
        below.next().answer("+ok");
    }

    @Test
    void framesStillQueuedWhenTheLoopEndsAreReleased() throws Exception {
        DefaultEventLoop loop = new DefaultEventLoop();
        Admission admission = admission(1, 10);
        RecordingLane below = new RecordingLane(loop);
        ByteBuf queued = frame("queued");
        RecordingLane.Sent inFlight = loop.submit(() -> {
                    UpstreamLane lane = admission.limit(below);
                    send(lane, "in flight");
                    lane.send(0, RespVersion.RESP2, queued, callback("queued"));
                    return below.next();
                })
                .get(10, TimeUnit.SECONDS);
        assertEquals(1, queued.refCnt());
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        assertTrue(loop.isTerminated());
        inFlight.frame().release();
        // The termination listener runs right after the loop ends; wait for it without sleeping blindly.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (queued.refCnt() != 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, queued.refCnt());
        assertEquals(0, admission.stats().opsQueued());
    }
}
