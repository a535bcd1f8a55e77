package io.respite.proxy.upstream;

/**
 * The watchdog's view of one connection: whether it is waiting for a frame, and whether any
 * arrived since the last tick. A connection that expected a frame for {@code --timeout} worth of
 * ticks and got none is stalled. Counting ticks instead of reading the clock per command keeps
 * time off the reply path; the price is a tick's worth of precision. One per connection, on its
 * loop; not thread-safe.
 */
final class ProgressWatch {

    private final long tickNanos;
    private final long timeoutNanos;
    /** Frames received so far. */
    private long frames;

    private long framesAtLastTick;
    /** Consecutive ticks that expected a frame and saw none. */
    private int stalledTicks;
    /** A command was sent without a callback, timed, and no frame has arrived since. */
    private boolean awaitingFrame;

    ProgressWatch(long tickNanos, long timeoutNanos) {
        this.tickNanos = tickNanos;
        this.timeoutNanos = timeoutNanos;
    }

    /** A frame arrived, of any kind. */
    void frameArrived() {
        frames++;
        awaitingFrame = false;
    }

    /** A command that must get some frame back was sent with no callback to wait for it (pub/sub). */
    void awaitFrame() {
        awaitingFrame = true;
    }

    /** Starts over: a new channel, or a failed one. */
    void reset() {
        framesAtLastTick = frames;
        stalledTicks = 0;
        awaitingFrame = false;
    }

    /**
     * One watchdog tick; {@code expectingReply} when a timed command is at the head of the queue.
     * Returns true when the connection has expected a frame for the whole timeout and seen none.
     */
    boolean tick(boolean expectingReply) {
        if (!(expectingReply || awaitingFrame) || frames != framesAtLastTick) {
            framesAtLastTick = frames;
            stalledTicks = 0;
            return false;
        }
        // The first tick may come any time after the send: it does not count as a full period.
        return stalledTicks++ * tickNanos >= timeoutNanos;
    }
}
