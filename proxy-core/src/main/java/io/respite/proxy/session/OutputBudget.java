package io.respite.proxy.session;

/**
 * How many bytes of replies one client may have on their way and waiting, and when it must go.
 *
 * <p><b>Forwarding window.</b> A shared upstream connection cannot leave a reply in its socket
 * until a slow client wants it: that would stall every client behind it. So every reply is read
 * at once and waits in respite's memory until its client takes it. To bound that, a session
 * forwards a command only while
 * {@code inFlight × estimate + queued < }{@value #FORWARD_WINDOW_BYTES}, where {@code queued} is
 * what has arrived and waits for the client, and {@code estimate} is the size of this client's
 * recent replies: it jumps to the size of a reply larger than itself and halves with each
 * smaller one. It starts at a sixteenth of the window, so a client whose first pipeline asks for
 * 2 MB values has 16 of them fetched, not 256; after a few small replies the count limit
 * ({@link ClientSession#MAX_PENDING_REPLIES}) is what binds.
 *
 * <p><b>Limits</b>, as Redis's {@code client-output-buffer-limit}: a client whose replies waiting
 * in respite (queued, batched, or in the socket's outbound buffer) exceed {@code hardBytes}, or
 * stay above {@code softBytes} for {@code softNanos}, is disconnected. Zero turns a limit off.
 *
 * <p>Owned by one session, on its event loop; not thread-safe.
 */
final class OutputBudget {

    /** Bytes of replies a client may have expected and waiting before respite forwards no more of its commands. */
    static final long FORWARD_WINDOW_BYTES = 4L * 1024 * 1024;
    /** The reply size assumed before any reply arrived, in bytes. */
    static final long INITIAL_ESTIMATE_BYTES = FORWARD_WINDOW_BYTES / 16;
    /** The smallest reply size assumed, in bytes. */
    private static final long MIN_ESTIMATE_BYTES = 16;

    /** What {@link #check} decided. */
    enum Verdict {
        /** Within the limits. */
        WITHIN,
        /** Above the soft limit, for less than its time so far: check again at {@link #softDeadlineNanos()}. */
        OVER_SOFT,
        /** Above the hard limit, or above the soft one for too long: disconnect. */
        EXCEEDED
    }

    private long hardBytes;
    private long softBytes;
    private long softNanos;

    private long queuedBytes;
    private long estimateBytes = INITIAL_ESTIMATE_BYTES;
    /** When the output went above the soft limit; meaningful while {@link #overSoft}. */
    private long overSoftSinceNanos;

    private boolean overSoft;

    /**
     * @param hardBytes output at which the client is disconnected at once; 0 for none
     * @param softBytes output the client may stay above for only {@code softNanos}; 0 for none
     * @param softNanos how long the output may stay above {@code softBytes}
     */
    OutputBudget(long hardBytes, long softBytes, long softNanos) {
        this.hardBytes = hardBytes;
        this.softBytes = softBytes;
        this.softNanos = softNanos;
    }

    /** Judges by {@code limits} from now on (a client that subscribed, or unsubscribed from everything). */
    void limits(OutputLimits limits) {
        hardBytes = limits.hardBytes();
        softBytes = limits.softBytes();
        softNanos = limits.softNanos();
        overSoft = false;
    }

    /** True when no further command may be forwarded, with {@code inFlight} replies still to come. */
    boolean windowFull(int inFlight) {
        return inFlight * estimateBytes + queuedBytes >= FORWARD_WINDOW_BYTES;
    }

    /** A reply of {@code bytes} arrived from upstream: the estimate learns its size. */
    void replyArrived(int bytes) {
        estimateBytes = Math.max(MIN_ESTIMATE_BYTES, Math.max(bytes, estimateBytes >>> 1));
    }

    /** A reply of {@code bytes} waits for replies ahead of it. */
    void queued(int bytes) {
        queuedBytes += bytes;
    }

    /** A waiting reply of {@code bytes} went to the channel, or was dropped. */
    void dequeued(int bytes) {
        queuedBytes -= bytes;
    }

    /** Bytes of replies waiting for replies ahead of them. */
    long queuedBytes() {
        return queuedBytes;
    }

    /** The size this client's next reply is assumed to have, in bytes. */
    long estimateBytes() {
        return estimateBytes;
    }

    /**
     * Judges the client's output: {@code outputBytes} in all (queued, batched and in the channel's
     * outbound buffer) at {@code nowNanos}.
     */
    Verdict check(long outputBytes, long nowNanos) {
        if (hardBytes > 0 && outputBytes > hardBytes) {
            return Verdict.EXCEEDED;
        }
        if (softBytes == 0 || outputBytes <= softBytes) {
            overSoft = false;
            return Verdict.WITHIN;
        }
        if (!overSoft) {
            overSoft = true;
            overSoftSinceNanos = nowNanos;
        }
        return nowNanos - overSoftSinceNanos >= softNanos ? Verdict.EXCEEDED : Verdict.OVER_SOFT;
    }

    /** When a client that stays above the soft limit is disconnected; meaningful after {@link Verdict#OVER_SOFT}. */
    long softDeadlineNanos() {
        return overSoftSinceNanos + softNanos;
    }

    /** The limit a verdict of {@link Verdict#EXCEEDED} at {@code outputBytes} broke, for the log. */
    String describeExceeded(long outputBytes) {
        return hardBytes > 0 && outputBytes > hardBytes
                ? outputBytes + " bytes of replies waiting, over the hard limit of " + hardBytes
                : outputBytes + " bytes of replies waiting, over the soft limit of " + softBytes + " for "
                        + softNanos / 1_000_000 + " ms";
    }
}
