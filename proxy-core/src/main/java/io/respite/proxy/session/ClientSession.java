package io.respite.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.ReferenceCountUtil;
import io.respite.proxy.eventloop.LoopFlusher;
import io.respite.proxy.logging.RateLimitedLog;
import io.respite.proxy.upstream.DedicatedConnection;
import io.respite.proxy.upstream.ReplyCallback;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import io.respite.resp.codec.RespProtocolError;
import io.respite.resp.codec.RespRequestDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A client connection. Replies leave in request order: a reply available at once is written
 * straight away when nothing is pending ahead of it; otherwise it takes a {@link Reply} slot in a
 * FIFO, and slots are written as soon as every slot ahead of them is complete.
 *
 * <p>Backpressure: while {@value #MAX_PENDING_REPLIES} replies are pending, while the client's
 * socket buffer is full (it is not reading), or while its {@link OutputBudget} forwarding window
 * (bytes expected and waiting) is full, further commands are held, in order, instead of being
 * forwarded, and reading stops; both resume as replies drain. So a client that never reads holds
 * bounded memory in count and in bytes, and does not slow anyone else. A client whose waiting
 * output goes over its limits is disconnected, as Redis does with {@code client-output-buffer-limit}.
 *
 * <p>Re-entrancy: completing a reply drains the queue, which may hand held commands on, whose
 * replies (a failure while the upstream is down) may complete at once. {@link #drain} therefore
 * never runs inside itself: a nested call marks that another pass is needed and returns, so any
 * number of such completions costs constant stack. An unexpected error while draining is logged
 * with the client's description and closes this client only.
 *
 * <p>Pinning: state that lives on a Redis connection (a transaction, WATCH, a blocking command,
 * subscriptions, MONITOR) needs an upstream connection of its own. While {@link #pinned()}, every
 * command goes to the session's {@link DedicatedConnection}; a transparent pin (pub/sub, MONITOR,
 * client tracking) lasts for the life of the connection and relays whatever frames arrive, in
 * order. Moving between the shared lane and the dedicated connection waits until every reply
 * ahead has arrived ({@link #holdUntilDrained}), so commands cannot overtake each other upstream.
 *
 * <p>Writes: replies up to {@value #BATCH_COPY_MAX_BYTES} bytes are copied into one pooled
 * direct buffer per event-loop iteration (a cache hit costs a copy of its bytes, no buffer of its
 * own); larger ones are written as they are. The batch is written and flushed once per iteration
 * through the loop's {@link LoopFlusher}.
 * Everything runs on the channel's event loop; nothing here is thread-safe.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(ClientSession.class.getName());
    /** Disconnections at the output limits: a client can cause them at will, so at most one line per 10 s. */
    private static final RateLimitedLog OUTPUT_LIMIT_LOG = new RateLimitedLog(LOG, Level.WARNING, 10, TimeUnit.SECONDS);

    /** Pending replies at which the session stops forwarding commands and reading from its client. */
    public static final int MAX_PENDING_REPLIES = 256;

    /** Replies up to this size, in bytes, are copied into the iteration's batch buffer. */
    private static final int BATCH_COPY_MAX_BYTES = 2048;

    /** First capacity of a batch buffer, in bytes; it grows as replies arrive. */
    private static final int BATCH_INITIAL_BYTES = 4096;

    private static final AtomicLong IDS = new AtomicLong();

    private final CommandHandler handler;
    private final UpstreamLane lane;
    private final LoopFlusher flusher;
    private final OutputBudget budget;
    private final long id = IDS.incrementAndGet();
    private final ArrayDeque<Reply> pending = new ArrayDeque<>();
    /**
     * Requests not handled yet, in order: commands (each holding one reference) and a protocol
     * error, held back by backpressure or by a barrier.
     */
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    /** The head of {@link #held} waits until every pending reply has arrived, not just some. */
    private boolean barrier;
    /** Replies forwarded upstream and not arrived yet: pending slots not done. */
    private int inFlight;
    /** True while {@link #drain} runs; a nested call only sets {@link #drainAgain}. */
    private boolean draining;
    private boolean drainAgain;
    /** A check of the output limits is scheduled (for a client above the soft limit). */
    private boolean limitCheckScheduled;

    private ChannelHandlerContext ctx;
    private LoopFlusher.Target flushTarget;
    /** Small replies of this iteration, not yet written to the channel; null when none. */
    private ByteBuf batch;
    /**
     * True between this channel's first channelRead of a read burst and its channelReadComplete:
     * replies written meanwhile are flushed there, with no loop task.
     */
    private boolean inReadBurst;
    private boolean flushAtReadComplete;
    private boolean closing;
    private boolean readingPaused;

    private int database;
    private RespVersion version = RespVersion.RESP2;
    private String name;
    private boolean authenticated;

    private DedicatedConnection dedicated;
    private RespVersion dedicatedVersion;
    private boolean pinned;
    private boolean transparent;
    /** The client turned its replies off or to skip (CLIENT REPLY): relayed commands are not timed. */
    private boolean repliesSwitched;
    private boolean inMulti;
    private boolean watching;
    private int pinnedInFlight;
    private final QueuedTransaction transaction = new QueuedTransaction();
    /** Write commands queued in the current transaction, retained, to invalidate again at EXEC. */
    private final java.util.List<RespCommand> queuedWrites = new java.util.ArrayList<>();

    /**
     * @param authenticated whether the client starts authenticated (true when no password is required)
     * @param database the database a client uses until it selects another (the upstream URI's)
     * @param limits the client's output limits
     */
    public ClientSession(CommandHandler handler, UpstreamLane lane, LoopFlusher flusher, boolean authenticated,
            int database, OutputLimits limits) {
        this.handler = handler;
        this.lane = lane;
        this.flusher = flusher;
        this.authenticated = authenticated;
        this.database = database;
        this.budget = new OutputBudget(limits.hardBytes(), limits.softBytes(), limits.softNanos());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.flushTarget = flusher.target(this::flushBatch);
    }

    /** Takes ownership of {@code msg}: a {@link RespCommand} (released here) or a {@link RespProtocolError}. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inReadBurst = true;
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
            LOG.log(Level.FINE, "{0}: protocol error: {1}", new Object[] {describe(), error.message()});
            replyError(error.message());
            closeAfterReplies();
            return;
        }
        RespCommand command = (RespCommand) msg;
        try {
            handler.handle(this, command);
        } finally {
            command.release();
        }
    }

    /** Too many replies pending or expected, or a client that is not reading: forward nothing more for now. */
    private boolean underPressure() {
        return pending.size() >= MAX_PENDING_REPLIES || !ctx.channel().isWritable() || budget.windowFull(inFlight);
    }

    /**
     * Keeps {@code command} (retaining it) until every reply pending now has been written, then
     * hands it to the handler again, ahead of everything held behind it. Reading pauses meanwhile.
     * Called by the handler for a command that must not overtake anything on its way upstream.
     */
    public void holdUntilDrained(RespCommand command) {
        held.addFirst(command.retain());
        barrier = true;
        pauseReading();
    }

    /** Hands held requests on, in order, as far as the barrier and backpressure allow. */
    private void releaseHeld() {
        while (!held.isEmpty() && !closing) {
            if (barrier ? !pending.isEmpty() : underPressure()) {
                return;
            }
            barrier = false;
            handle(held.poll());
        }
    }

    // ---- replies, in order --------------------------------------------------------------------

    /** Replies with {@code reply} in order. Takes ownership of {@code reply}. */
    public void reply(ByteBuf reply) {
        if (pending.isEmpty()) {
            write(reply);
        } else {
            Reply slot = new Reply();
            slot.complete(reply);
            pending.add(slot);
        }
    }

    /**
     * A frame no command waits for, from the dedicated connection of a relaying session (pub/sub,
     * MONITOR, tracking): written in arrival order, within the client's output limits. Takes
     * ownership of {@code frame}.
     */
    private void relay(ByteBuf frame) {
        reply(frame);
        checkOutputLimits();
    }

    /** Replies with a copy of {@code wire}, bytes already in RESP form: a cache hit. */
    public void reply(byte[] wire) {
        if (pending.isEmpty() && wire.length <= BATCH_COPY_MAX_BYTES && ctx.channel().isActive()) {
            batch(wire.length).writeBytes(wire);
            flushSoon();
        } else {
            reply(Unpooled.wrappedBuffer(wire));
        }
    }

    /** Replies with the error {@code -message\r\n}. */
    public void replyError(String message) {
        reply(Unpooled.copiedBuffer("-" + message + "\r\n", StandardCharsets.UTF_8));
    }

    /** A slot for a reply that will come later, in this command's place. */
    public Reply replyLater() {
        Reply slot = new Reply();
        pending.add(slot);
        inFlight++;
        return slot;
    }

    /**
     * Closes the connection at once, dropping replies not written yet: what Redis does to a client
     * that sends {@code POST} or {@code Host:}. Nothing the client sent after it is handled.
     */
    public void abort() {
        closing = true;
        ctx.close();
    }

    /** Closes the connection once every reply so far has been written, as after QUIT or a protocol error. */
    public void closeAfterReplies() {
        closing = true;
        if (pending.isEmpty()) {
            writeBatch();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
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
                for (Reply head; (head = pending.peek()) != null && head.done;) {
                    pending.poll();
                    budget.dequeued(head.reply.readableBytes());
                    write(head.reply);
                }
                releaseHeld();
            } while (drainAgain);
        } finally {
            draining = false;
        }
        if (pending.isEmpty() && closing) {
            writeBatch();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            checkOutputLimits();
            resumeIfRelieved();
        }
    }

    /** Disconnects a client whose waiting output broke its limits; see {@link OutputBudget}. */
    private void checkOutputLimits() {
        Channel channel = ctx.channel();
        if (closing || !channel.isActive()) {
            return;
        }
        long output = outputBytes();
        switch (budget.check(output, System.nanoTime())) {
            case WITHIN -> { }
            case OVER_SOFT -> {
                if (!limitCheckScheduled) {
                    limitCheckScheduled = true;
                    long delay = Math.max(0, budget.softDeadlineNanos() - System.nanoTime()) + 1;
                    ctx.executor().schedule(() -> {
                        limitCheckScheduled = false;
                        checkOutputLimits();
                    }, delay, TimeUnit.NANOSECONDS);
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
        if (readingPaused && held.isEmpty() && pending.size() <= MAX_PENDING_REPLIES / 2
                && ctx.channel().isWritable()) {
            resumeReading();
        }
    }

    /** Takes ownership of {@code reply}: copies it into the batch, or writes it behind the batch. */
    private void write(ByteBuf reply) {
        Channel channel = ctx.channel();
        if (!channel.isActive()) {
            reply.release();
            return;
        }
        int length = reply.readableBytes();
        if (length <= BATCH_COPY_MAX_BYTES) {
            batch(length).writeBytes(reply, reply.readerIndex(), length);
            reply.release();
        } else {
            writeBatch();
            ctx.write(reply, ctx.voidPromise());
        }
        flushSoon();
    }

    /** An unexpected error while this client's replies were being handled: it goes, nobody else does. */
    private void unexpected(Throwable cause) {
        LOG.log(Level.SEVERE, describe() + ": closing after an unexpected error", cause);
        abort();
    }

    /**
     * Replies written while this channel is being read are flushed at its channelReadComplete;
     * others (upstream replies, which arrive on another channel's read) by the loop's flusher.
     */
    private void flushSoon() {
        if (inReadBurst) {
            flushAtReadComplete = true;
        } else {
            flushTarget.flushLater();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inReadBurst = false;
        if (flushAtReadComplete) {
            flushAtReadComplete = false;
            flushBatch();
        }
        ctx.fireChannelReadComplete();
    }

    private ByteBuf batch(int room) {
        if (batch == null) {
            batch = ctx.alloc().directBuffer(Math.max(BATCH_INITIAL_BYTES, room));
        }
        return batch;
    }

    /** Hands the batch to the channel (which then owns it). */
    private void writeBatch() {
        if (batch != null) {
            ByteBuf out = batch;
            batch = null;
            ctx.write(out, ctx.voidPromise());
        }
    }

    /** The loop's flush for this session: the batch, then everything written. */
    private void flushBatch() {
        writeBatch();
        ctx.flush();
    }

    // ---- backpressure -------------------------------------------------------------------------

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        if (transparent && dedicated != null) {
            // A subscriber that does not read holds its messages back in Redis, not here.
            dedicated.pauseReading(!writable);
        }
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
        if (readingPaused) {
            readingPaused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        LOG.log(Level.FINE, "{0}: connected", describe());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        LOG.log(Level.FINE, "{0}: disconnected", describe());
        closing = true;
        for (Reply slot; (slot = pending.poll()) != null;) {
            slot.discard();
        }
        for (Object msg; (msg = held.poll()) != null;) {
            ReferenceCountUtil.release(msg);
        }
        if (batch != null) {
            batch.release();
            batch = null;
        }
        dropQueuedWrites();
        if (dedicated != null) {
            dedicated.close();
            dedicated = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            // Resets and broken pipes are how clients leave; not worth a warning.
            LOG.log(Level.FINE, "{0}: {1}", new Object[] {describe(), cause.toString()});
            ctx.close();
        } else {
            unexpected(cause);
        }
    }

    /** True while replies are still owed to the client. */
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
        ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
        return budget.queuedBytes() + (batch == null ? 0 : batch.readableBytes())
                + (outbound == null ? 0 : outbound.totalPendingWriteBytes());
    }

    /** A short description for logs: id and remote address. */
    public String describe() {
        return "client id=" + id + " " + (ctx == null ? "?" : ctx.channel().remoteAddress());
    }

    // ---- state --------------------------------------------------------------------------------

    public long id() {
        return id;
    }

    public UpstreamLane lane() {
        return lane;
    }

    public Channel channel() {
        return ctx.channel();
    }

    public int database() {
        return database;
    }

    public void database(int database) {
        this.database = database;
    }

    public RespVersion version() {
        return version;
    }

    public void version(RespVersion version) {
        this.version = version;
    }

    /** The name set by CLIENT SETNAME or HELLO SETNAME, or null. */
    public String name() {
        return name;
    }

    public void name(String name) {
        this.name = name;
    }

    public boolean authenticated() {
        return authenticated;
    }

    public void authenticated(boolean authenticated) {
        this.authenticated = authenticated;
        RespRequestDecoder decoder = ctx.pipeline().get(RespRequestDecoder.class);
        if (decoder != null) {
            decoder.requireAuthentication(!authenticated);
        }
    }

    // ---- pinning ------------------------------------------------------------------------------

    /**
     * The session's dedicated upstream connection, opened on first use (in the session's current
     * protocol), or null when the limit on dedicated connections is reached.
     */
    public DedicatedConnection dedicated() {
        if (dedicated != null && dedicatedVersion != version && !pinned) {
            dedicated.close();
            dedicated = null;
        }
        if (dedicated == null) {
            dedicated = lane.dedicated(version, this::relay, this::dedicatedLost);
            dedicatedVersion = version;
        }
        return dedicated;
    }

    /**
     * The dedicated connection broke: its state is gone, so the client's connection goes too,
     * after the replies owed to it (its pending commands have just failed with the reason). A
     * relaying client (pub/sub, MONITOR) is owed no reply: it gets the reason as an error.
     */
    private void dedicatedLost(String error) {
        dedicated = null;
        if (!closing) {
            if (transparent) {
                replyError(error);
            }
            closeAfterReplies();
        }
    }

    /** Drops the dedicated connection and with it any connection-scoped state (RESET). */
    public void unpinAndDropDedicated() {
        pinned = false;
        transparent = false;
        inMulti = false;
        watching = false;
        dropQueuedWrites();
        if (dedicated != null) {
            DedicatedConnection connection = dedicated;
            dedicated = null;
            connection.close();
        }
    }

    /** True while commands must go to the dedicated connection. */
    public boolean pinned() {
        return pinned;
    }

    /** Pins the session; {@code forGood} for transparent relaying (pub/sub, MONITOR, tracking). */
    public void pin(boolean forGood) {
        pinned = true;
        transparent |= forGood;
    }

    public boolean transparent() {
        return transparent;
    }

    /** The client used CLIENT REPLY: from now on a relayed command may rightly get no frame back. */
    public void repliesSwitched() {
        repliesSwitched = true;
    }

    /** Whether relayed commands are timed: not once the client switched its replies (CLIENT REPLY). */
    public boolean relayTimed() {
        return !repliesSwitched;
    }

    public boolean inMulti() {
        return inMulti;
    }

    /** What respite remembers of the current (or last) transaction. */
    public QueuedTransaction transaction() {
        return transaction;
    }

    public void inMulti(boolean inMulti) {
        this.inMulti = inMulti;
    }

    public boolean watching() {
        return watching;
    }

    public void watching(boolean watching) {
        this.watching = watching;
    }

    /** Counts a command sent on the dedicated connection whose reply is awaited. */
    public void pinnedSent() {
        pinnedInFlight++;
    }

    /** A pinned command's reply arrived: unpins when no connection state and no reply remain. */
    public void pinnedReplied() {
        pinnedInFlight--;
        if (!transparent && !inMulti && !watching && pinnedInFlight == 0) {
            pinned = false;
        }
    }

    /** Keeps {@code command} (one reference) to invalidate its keys again when the transaction ends. */
    public void queueWrite(RespCommand command) {
        queuedWrites.add(command.retain());
    }

    /** Hands over the transaction's queued writes; the caller releases them. */
    public java.util.List<RespCommand> takeQueuedWrites() {
        java.util.List<RespCommand> writes = new java.util.ArrayList<>(queuedWrites);
        queuedWrites.clear();
        return writes;
    }

    private void dropQueuedWrites() {
        queuedWrites.forEach(RespCommand::release);
        queuedWrites.clear();
    }

    /**
     * A reply that arrives later. Completing it (once) writes it and every completed reply
     * behind it, as soon as the replies ahead of it are written.
     */
    public final class Reply implements ReplyCallback {

        private ByteBuf reply;
        private boolean done;

        private Reply() {
        }

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
            int bytes = frame.readableBytes();
            budget.replyArrived(bytes);
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
