package io.respite.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.respite.proxy.eventloop.LoopFlusher;
import io.respite.proxy.logging.RateLimitedLog;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespCommand;
import io.respite.resp.codec.RespProtocolError;
import io.respite.resp.codec.RespRequestDecoder;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The Netty side of one client: reads its commands and hands them, in order, to its
 * {@link CommandHandler}; keeps its replies in request order; holds commands back under
 * backpressure; and lives and dies with the channel. What the commands mean is the handler's
 * business, which reaches the client only through {@link ReplySink}.
 *
 * <p>Reply order: a reply available at once is written straight away when nothing is pending
 * ahead of it; otherwise it takes a {@link PendingReply} in a FIFO, and replies are written as soon
 * as every reply ahead of them is complete.
 *
 * <p>Backpressure: while {@value #MAX_PENDING_REPLIES} replies are pending, while the client's
 * socket buffer is full (it is not reading), or while its {@link OutputBudget} forwarding window
 * (bytes expected and waiting) is full, further commands are held, in order, instead of being
 * handled, and reading stops; both resume as replies drain. So a client that never reads holds
 * bounded memory in count and in bytes, and does not slow anyone else. A client whose waiting
 * output goes over its limits is disconnected, as Redis does with {@code client-output-buffer-limit}.
 *
 * <p>Re-entrancy: completing a reply drains the queue, which may hand held commands on, whose
 * replies (a failure while the upstream is down) may complete at once. {@link #drain} therefore
 * never runs inside itself: a nested call marks that another pass is needed and returns, so any
 * number of such completions costs constant stack. An unexpected error while draining is logged
 * with the client's description and closes this client only.
 *
 * <p>Everything runs on the channel's event loop; nothing here is thread-safe.
 *
 * <p>Over 400 lines because reply order, backpressure and the output limits act on the same
 * queue and the same channel state at every step; apart, each would reach into the others.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter implements ReplySink {

    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
    /** Disconnections at the output limits: a client can cause them at will, so at most one line per 10 s. */
    private static final RateLimitedLog OUTPUT_LIMIT_LOG = new RateLimitedLog(LOG, Level.WARN, 10, TimeUnit.SECONDS);

    /** Pending replies at which the session stops handling commands and reading from its client. */
    public static final int MAX_PENDING_REPLIES = 256;

    private static final AtomicLong IDS = new AtomicLong();

    private final Function<ReplySink, CommandHandler> handlers;
    private final LoopFlusher flusher;
    private final RespRequestDecoder decoder;
    private final OutputBudget budget;
    /** The configured output limits, in force while the client has no subscription; a reload may change them. */
    private OutputLimits limits;
    /** Whether the client is under a subscriber's limits instead. */
    private boolean subscriber;

    private final long id = nextClientId();
    private final ArrayDeque<PendingReply> pending = new ArrayDeque<>();
    /**
     * Requests not handled yet, in order: commands (each holding one reference) and a protocol
     * error, held back by backpressure or by a barrier.
     */
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    /** The head of {@link #held} waits until every pending reply has arrived, not just some. */
    private boolean barrier;
    /** The head of {@link #held} waits until the task {@link #holdUntilResumed} gave runs. */
    private boolean suspended;
    /** Replies not arrived yet: pending replies not complete. */
    private int inFlight;
    /** True while {@link #drain} runs; a nested call only sets {@link #drainAgain}. */
    private boolean draining;

    private boolean drainAgain;
    /** A check of the output limits is scheduled (for a client above the soft limit). */
    private boolean limitCheckScheduled;

    private boolean closing;
    private boolean readingPaused;

    // Set in handlerAdded, before any other event reaches the session.
    @SuppressWarnings("NullAway.Init")
    private ChannelHandlerContext ctx;

    @SuppressWarnings("NullAway.Init")
    private ReplyWriter writer;

    @SuppressWarnings("NullAway.Init")
    private CommandHandler handler;

    /** Completed when nothing is owed to the client any more, once {@link #quiesce} asked; else null. */
    private @Nullable Promise<Void> quiesced;

    /**
     * @param handlers makes the client's command handler, given what it may do with the client
     * @param decoder the channel's request decoder, told when the client has authenticated
     * @param limits the client's output limits
     */
    public ClientSession(
            Function<ReplySink, CommandHandler> handlers,
            LoopFlusher flusher,
            RespRequestDecoder decoder,
            OutputLimits limits) {
        this.handlers = handlers;
        this.flusher = flusher;
        this.decoder = decoder;
        this.limits = limits;
        this.budget = new OutputBudget(limits.hardBytes(), limits.softBytes(), limits.softNanos());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.writer = new ReplyWriter(ctx, flusher);
        this.handler = handlers.apply(this);
    }

    /** A new client id, unique in this process and shared with the HTTP API's connections, as CLIENT ID gives it. */
    public static long nextClientId() {
        return IDS.incrementAndGet();
    }

    /** Takes ownership of {@code msg}: a {@link RespCommand} (released here) or a {@link RespProtocolError}. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        writer.readStarted();
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!held.isEmpty() || underPressure()) {
            held.add(msg);
            pauseReading();
            return;
        }
        handle(msg);
        if (underPressure()) {
            pauseReading();
        }
    }

    /** Takes ownership of {@code msg}: a command (released here) or a protocol error. */
    private void handle(Object msg) {
        if (msg instanceof RespProtocolError error) {
            LOG.debug("{}: protocol error: {}", describe(), error.message());
            replyError(error.message());
            closeAfterReplies();
            return;
        }
        RespCommand command = (RespCommand) msg;
        try {
            handler.handle(command);
        } finally {
            command.release();
        }
    }

    /** Too many replies pending or expected, or a client that is not reading: handle nothing more for now. */
    private boolean underPressure() {
        return pending.size() >= MAX_PENDING_REPLIES || !ctx.channel().isWritable() || budget.windowFull(inFlight);
    }

    @Override
    public void holdUntilDrained(RespCommand command) {
        held.addFirst(command.retain());
        barrier = true;
        pauseReading();
    }

    @Override
    public Runnable holdUntilResumed(RespCommand command) {
        held.addFirst(command.retain());
        suspended = true;
        pauseReading();
        return new Runnable() {
            private boolean ran;

            @Override
            public void run() {
                if (ran) {
                    return;
                }
                ran = true;
                suspended = false;
                try {
                    drain();
                } catch (Throwable t) {
                    unexpected(t);
                }
            }
        };
    }

    /** Hands held requests on, in order, as far as the barrier, a suspension and backpressure allow. */
    private void releaseHeld() {
        while (!held.isEmpty() && !closing) {
            if (suspended) {
                return;
            }
            if (barrier ? !pending.isEmpty() : underPressure()) {
                return;
            }
            barrier = false;
            handle(held.poll());
        }
    }

    // ---- replies, in order --------------------------------------------------------------------

    @Override
    public void reply(ByteBuf reply) {
        if (pending.isEmpty()) {
            writer.write(reply);
        } else {
            PendingReply slot = new PendingReply();
            slot.complete(reply);
            pending.add(slot);
        }
    }

    @Override
    public void reply(byte[] wire) {
        if (pending.isEmpty()
                && wire.length <= ReplyWriter.BATCH_COPY_MAX_BYTES
                && ctx.channel().isActive()) {
            writer.writeCopy(wire);
        } else {
            reply(Unpooled.wrappedBuffer(wire));
        }
    }

    @Override
    public void replyError(String message) {
        reply(Unpooled.copiedBuffer("-" + message + "\r\n", StandardCharsets.UTF_8));
    }

    @Override
    public ReplyCallback replyLater() {
        PendingReply slot = new PendingReply();
        pending.add(slot);
        inFlight++;
        return slot;
    }

    @Override
    public void push(ByteBuf push) {
        if (closing) {
            push.release();
            return;
        }
        writer.write(push);
        checkOutputLimits();
    }

    @Override
    public void relay(ByteBuf frame) {
        reply(frame);
        checkOutputLimits();
    }

    @Override
    public void subscriberOutputLimits(boolean subscriber) {
        this.subscriber = subscriber;
        budget.limits(subscriber ? OutputLimits.PUBSUB : limits);
    }

    /**
     * New configured output limits (a configuration reload), judged from the next reply on; a
     * subscriber keeps a subscriber's until it has no subscription left. On the channel's loop.
     */
    public void outputLimits(OutputLimits limits) {
        this.limits = limits;
        if (!subscriber) {
            budget.limits(limits);
        }
    }

    @Override
    public void closeAfterReplies() {
        closing = true;
        if (pending.isEmpty()) {
            writer.flush();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void abort() {
        closing = true;
        ctx.close();
    }

    /**
     * Writes every completed reply at the head of the queue, hands held commands on as far as
     * backpressure allows, and repeats while that completed more replies. Never nested (see the
     * class comment).
     */
    private void drain() {
        if (draining) {
            drainAgain = true;
            return;
        }
        draining = true;
        try {
            do {
                drainAgain = false;
                for (PendingReply head; (head = pending.peek()) != null; ) {
                    ByteBuf reply = head.reply;
                    if (reply == null) {
                        break;
                    }
                    pending.poll();
                    head.reply = null;
                    budget.dequeued(reply.readableBytes());
                    writer.write(reply);
                }
                releaseHeld();
            } while (drainAgain);
        } finally {
            draining = false;
        }
        if (pending.isEmpty() && closing) {
            writer.flush();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            checkOutputLimits();
            resumeIfRelieved();
        }
        completeQuiescedIfIdle();
    }

    /** Disconnects a client whose waiting output broke its limits; see {@link OutputBudget}. */
    private void checkOutputLimits() {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        long output = outputBytes();
        switch (budget.check(output, System.nanoTime())) {
            case WITHIN -> {}
            case OVER_SOFT -> {
                if (!limitCheckScheduled) {
                    limitCheckScheduled = true;
                    long delay = Math.max(0, budget.softDeadlineNanos() - System.nanoTime()) + 1;
                    ctx.executor()
                            .schedule(
                                    () -> {
                                        limitCheckScheduled = false;
                                        checkOutputLimits();
                                    },
                                    delay,
                                    TimeUnit.NANOSECONDS);
                }
            }
            case EXCEEDED -> {
                OUTPUT_LIMIT_LOG.log(describe() + ": closed for its output limits (" + budget.describeExceeded(output)
                        + "; see --client-output-limit)");
                abort();
            }
            default -> throw new IllegalStateException("unknown verdict");
        }
    }

    /** Reading resumes once nothing is held and half the pending budget is free again. */
    private void resumeIfRelieved() {
        if (readingPaused
                && held.isEmpty()
                && pending.size() <= MAX_PENDING_REPLIES / 2
                && ctx.channel().isWritable()) {
            resumeReading();
        }
    }

    /** An unexpected error while this client's replies were being handled: it goes, nobody else does. */
    private void unexpected(Throwable cause) {
        LOG.error(describe() + ": closing after an unexpected error", cause);
        abort();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        writer.readComplete();
        ctx.fireChannelReadComplete();
    }

    // ---- backpressure -------------------------------------------------------------------------

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        handler.writabilityChanged(writable);
        if (!writable) {
            pauseReading();
        } else {
            drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void pauseReading() {
        if (!readingPaused) {
            readingPaused = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void resumeReading() {
        if (readingPaused && quiesced == null) {
            readingPaused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    /**
     * Stops reading from the client, for a shutdown; the future completes once no reply is owed to
     * it any more (or it left). May be called from any thread.
     */
    public Future<Void> quiesce() {
        Promise<Void> promise = ctx.executor().newPromise();
        ctx.executor().execute(() -> {
            quiesced = promise;
            readingPaused = true;
            ctx.channel().config().setAutoRead(false);
            completeQuiescedIfIdle();
        });
        return promise;
    }

    private void completeQuiescedIfIdle() {
        if (quiesced != null && (pending.isEmpty() || !ctx.channel().isActive())) {
            quiesced.trySuccess(null);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        LOG.debug("{}: connected", describe());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        LOG.debug("{}: disconnected", describe());
        closing = true;
        for (PendingReply slot; (slot = pending.poll()) != null; ) {
            slot.discard();
        }
        for (Object msg; (msg = held.poll()) != null; ) {
            ReferenceCountUtil.release(msg);
        }
        writer.release();
        handler.closed();
        completeQuiescedIfIdle();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            // Resets and broken pipes are how clients leave; not worth a warning.
            LOG.debug("{}: {}", describe(), cause.toString());
            ctx.close();
        } else {
            unexpected(cause);
        }
    }

    // ---- what the handler and the server may know ---------------------------------------------

    @Override
    public boolean hasPendingReplies() {
        return !pending.isEmpty();
    }

    /** Replies owed to the client: forwarded and not arrived, or arrived and waiting for those ahead. */
    public int pendingReplies() {
        return pending.size();
    }

    /**
     * Bytes of replies waiting in respite for this client: arrived and queued behind others, in
     * the batch of this loop iteration, or in the channel's outbound buffer.
     */
    public long outputBytes() {
        return budget.queuedBytes() + writer.unsentBytes();
    }

    @Override
    public void requireAuthentication(boolean required) {
        decoder.requireAuthentication(required);
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public SocketAddress remoteAddress() {
        return ctx.channel().remoteAddress();
    }

    @Override
    public SocketAddress localAddress() {
        return ctx.channel().localAddress();
    }

    @Override
    public String describe() {
        return "client id=" + id + " " + (ctx == null ? "?" : ctx.channel().remoteAddress());
    }

    /**
     * A reply that arrives later. Completing it (once) writes it and every completed reply behind
     * it, as soon as the replies ahead of it are written; a second completion is dropped.
     */
    private final class PendingReply implements ReplyCallback {

        /** The reply, once complete and until written; null before and after. */
        private @Nullable ByteBuf reply;

        private boolean done;

        /** Takes ownership of {@code value}, which waits in the queue until {@link #drain} writes it. */
        void complete(ByteBuf value) {
            reply = value;
            done = true;
            budget.queued(value.readableBytes());
        }

        /** Takes ownership of {@code frame}. */
        @Override
        public void onReply(ByteBuf frame) {
            if (done) {
                frame.release();
                return;
            }
            inFlight--;
            budget.replyArrived(frame.readableBytes());
            complete(frame);
            try {
                drain();
            } catch (Throwable t) {
                unexpected(t);
            }
        }

        @Override
        public void onFailure(String error) {
            onReply(Unpooled.copiedBuffer("-" + error + "\r\n", StandardCharsets.UTF_8));
        }

        private void discard() {
            if (reply != null) {
                reply.release();
                reply = null;
            } else if (!done) {
                inFlight--;
            }
            done = true;
        }
    }
}
