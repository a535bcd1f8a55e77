package io.respite.proxy.admission;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.DedicatedConnection;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/*
 * Design
 * ------
 * A decorator of one event loop's lane that bounds the commands in flight to Redis across every
 * loop (--upstream-ops-limit). A command takes a permit (OpsLimit.inFlight, a CAS below the
 * limit) and keeps it until its reply or failure; without a free permit it waits in this lane's
 * FIFO queue, if the queue count of all lanes together is below --upstream-queue, and fails at
 * once with Admission.BUSY otherwise. Once the queue holds a command, later sends queue behind it
 * even when a permit is free: that keeps the lane's order (a client's pipeline, and the
 * reply-order contract of UpstreamLane). A released permit goes to this lane's own queue at once
 * (on this loop, no hand-off) unless another lane is hungry: then that lane is woken first, by a
 * drain task on its own loop, and this lane drains in a task of its own, after it.
 *
 * Fairness: without that yield, a lane that keeps a queue would keep reusing its own permits,
 * and under sustained overload a loop whose lane holds no permit would wait until another lane's
 * queue ran empty, which it may never do. With it, every hungry lane gets a chance at each
 * released permit; which one wins is a race between loops, not a fixed order.
 *
 * Concurrency
 * -----------
 * queue and Releasing.released belong to the lane's loop (callbacks arrive there too). hungry is
 * the only field other loops touch. The hand-off cannot lose a wake-up: a lane that finds no
 * permit sets hungry and then tries once more; a releaser gives the permit back (a decrement) and
 * then looks at the hungry flags. Java's atomics are sequentially consistent, so either the retry
 * sees the permit or the releaser sees the flag (and clears it, and schedules a drain, which sets
 * it again if it still finds no permit). A spurious wake-up costs one task.
 *
 * Invariants
 *   1. OpsLimit.inFlight == the number of Releasing callbacks not yet called, over all lanes,
 *      and <= the ops limit.
 *   2. OpsLimit.queued == the sum of the lanes' queue sizes (between the loops' steps), and
 *      <= --upstream-queue.
 *   3. A command sent directly found its lane's queue empty; a lane's commands reach the lane
 *      below in the order they were sent.
 *   4. A lane with queued commands while a permit is free has hungry set or a drain running or
 *      scheduled.
 *
 * The queue owns its frames: each is passed to the lane below or released when the loop ends.
 * Dedicated connections (bounded by --max-pinned), out-of-band commands (SCRIPT KILL and the
 * like, which must never wait behind a busy lane) and the subscriber connection pass straight
 * through, as do loop() and trackingEpoch(): a read that waited may thus carry an older epoch
 * than the one in force when it is sent, which only makes its fill look stale.
 */

/**
 * A lane whose commands count against {@code --upstream-ops-limit}; made by {@link
 * Admission#limit}, one per underlying lane. Only the lane's loop may call it, as any lane. See
 * the design comment at the top of the source file for the hand-off of permits between loops.
 */
final class LimitedLane implements UpstreamLane {

    private final UpstreamLane lane;
    private final OpsLimit limit;
    /** Commands waiting for a permit, oldest first; each owns its frame. */
    private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
    /** This lane has queued commands and found no permit: a releaser on another loop must wake it. */
    private final AtomicBoolean hungry = new AtomicBoolean();

    private final Runnable drain = this::drain;
    /** Drops what is queued when the loop ends; removed when the lane is forgotten before that. */
    private final GenericFutureListener<Future<Object>> loopEnded = future -> dropQueued();

    LimitedLane(UpstreamLane lane, OpsLimit limit) {
        this.lane = lane;
        this.limit = limit;
        limit.register(this);
        try {
            // Closing the upstream fails what is in flight, which sends what is queued; what a
            // loop still holds when it ends (no task runs there any more) is given up here.
            lane.loop().terminationFuture().addListener(loopEnded);
        } catch (UnsupportedOperationException e) {
            // An EmbeddedEventLoop (tests): it never ends.
        }
    }

    /** The lane below closed (a user's, {@code --auth passthrough}): nothing is left to do when the loop ends. */
    void forget() {
        limit.unregister(this);
        try {
            lane.loop().terminationFuture().removeListener(loopEnded);
        } catch (UnsupportedOperationException e) {
            // An EmbeddedEventLoop (tests): nothing was added.
        }
    }

    /** Takes ownership of {@code frame}: passed on with a permit, queued, or released when refused. */
    @Override
    public void send(int database, RespVersion version, ByteBuf frame, ReplyCallback callback) {
        if (queue.isEmpty() && limit.tryAcquire()) {
            forward(database, version, frame, callback);
            return;
        }
        if (!limit.tryQueue()) {
            frame.release();
            callback.onFailure(Admission.BUSY);
            return;
        }
        queue.add(new Waiting(database, version, frame, callback));
        drain();
    }

    /** Sends queued commands while permits are free; marks the lane hungry when they run out. */
    private void drain() {
        while (!queue.isEmpty()) {
            if (!limit.tryAcquire()) {
                hungry.set(true);
                if (!limit.tryAcquire()) {
                    return;
                }
            }
            Waiting next = queue.remove();
            limit.dequeued();
            forward(next.database, next.version, next.frame, next.callback);
        }
    }

    /** Called from any thread: schedules a drain on this lane's loop if the lane is hungry; whether it was. */
    boolean wakeIfHungry() {
        if (hungry.compareAndSet(true, false)) {
            drainLater();
            return true;
        }
        return false;
    }

    private void drainLater() {
        try {
            lane.loop().execute(drain);
        } catch (RejectedExecutionException e) {
            // The loop is shutting down: its queue is dropped when it ends.
        }
    }

    /** Sends with a permit already taken; takes ownership of {@code frame}. */
    private void forward(int database, RespVersion version, ByteBuf frame, ReplyCallback callback) {
        lane.send(database, version, frame, new Releasing(callback));
    }

    /** The loop ended: releases the frames still queued; their clients are gone with the loop. */
    private void dropQueued() {
        for (Waiting waiting; (waiting = queue.poll()) != null; ) {
            limit.dequeued();
            waiting.frame.release();
        }
    }

    @Override
    public EventLoop loop() {
        return lane.loop();
    }

    @Override
    public int trackingEpoch(RespVersion version) {
        return lane.trackingEpoch(version);
    }

    @Override
    public int trackingEpoch(RespVersion version, RespCommand command, int keyArg) {
        return lane.trackingEpoch(version, command, keyArg);
    }

    /** Not limited: must never wait behind a busy lane. Takes ownership of {@code frame}. */
    @Override
    public void sendOutOfBand(RespVersion version, ByteBuf frame, ReplyCallback callback) {
        lane.sendOutOfBand(version, frame, callback);
    }

    /** Not limited: dedicated connections are bounded by {@code --max-pinned}. */
    @Override
    public @Nullable DedicatedConnection dedicated(
            RespVersion version, Consumer<ByteBuf> frames, Consumer<String> lost) {
        return lane.dedicated(version, frames, lost);
    }

    @Override
    public void awaitDedicated(Consumer<Boolean> wake) {
        lane.awaitDedicated(wake);
    }

    @Override
    public DedicatedConnection subscriber(Consumer<ByteBuf> frames, Consumer<String> lost) {
        return lane.subscriber(frames, lost);
    }

    @Override
    public @Nullable UpstreamLane shardLane(List<byte[]> channels) {
        UpstreamLane shard = lane.shardLane(channels);
        // This lane for the one below: one subscriber connection per loop, whatever the kind.
        return shard == lane ? this : shard;
    }

    @Override
    public boolean shardRedirected(String error) {
        return lane.shardRedirected(error);
    }

    @Override
    public void shardLost() {
        lane.shardLost();
    }

    /** A command waiting for a permit; owns {@code frame}. */
    private record Waiting(int database, RespVersion version, ByteBuf frame, ReplyCallback callback) {}

    /** Passes the reply or failure on, then gives the permit back, once. */
    private final class Releasing implements ReplyCallback {

        private final ReplyCallback next;
        private boolean released;

        Releasing(ReplyCallback next) {
            this.next = next;
        }

        /** Takes ownership of {@code frame}, passing it on. */
        @Override
        public void onReply(ByteBuf frame) {
            try {
                next.onReply(frame);
            } finally {
                release();
            }
        }

        @Override
        public void onFailure(String error) {
            try {
                next.onFailure(error);
            } finally {
                release();
            }
        }

        private void release() {
            if (released) {
                return;
            }
            released = true;
            limit.release();
            if (limit.wakeHungry(LimitedLane.this) && !queue.isEmpty()) {
                // Another loop waits too: it gets the first go at the permit; this lane drains after.
                drainLater();
            } else {
                drain();
            }
        }
    }
}
