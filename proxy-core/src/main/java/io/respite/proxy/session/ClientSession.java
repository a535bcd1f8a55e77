package io.respite.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.respite.proxy.eventloop.LoopFlusher;
import io.respite.proxy.upstream.ReplyCallback;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import io.respite.resp.codec.RespProtocolError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A client connection. Replies leave in request order: a reply available at once is written
 * straight away when nothing is pending ahead of it; otherwise it takes a {@link Reply} slot in a
 * FIFO, and slots are written as soon as every slot ahead of them is complete.
 *
 * <p>Backpressure: reading stops while more than {@value #MAX_PENDING_REPLIES} replies are pending
 * or while the client's socket buffer is full (the client is not reading), and resumes when both
 * have drained; so a client that never reads holds a bounded amount of memory and does not slow
 * anyone else.
 *
 * <p>Writes are flushed once per event-loop iteration through the loop's {@link LoopFlusher}.
 * Everything runs on the channel's event loop; nothing here is thread-safe.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(ClientSession.class.getName());

    /** Pending replies beyond which the session stops reading from its client. */
    public static final int MAX_PENDING_REPLIES = 4096;

    private static final AtomicLong IDS = new AtomicLong();

    private final CommandHandler handler;
    private final UpstreamLane lane;
    private final LoopFlusher flusher;
    private final long id = IDS.incrementAndGet();
    private final ArrayDeque<Reply> pending = new ArrayDeque<>();

    private ChannelHandlerContext ctx;
    private LoopFlusher.Target flushTarget;
    private boolean closing;
    private boolean readingPaused;

    private int database;
    private RespVersion version = RespVersion.RESP2;
    private String name;
    private boolean authenticated;

    /**
     * @param authenticated whether the client starts authenticated (true when no password is required)
     */
    public ClientSession(CommandHandler handler, UpstreamLane lane, LoopFlusher flusher, boolean authenticated) {
        this.handler = handler;
        this.lane = lane;
        this.flusher = flusher;
        this.authenticated = authenticated;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.flushTarget = flusher.target(ctx.channel());
    }

    /** Takes ownership of {@code msg}: a {@link RespCommand} (released here) or a {@link RespProtocolError}. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
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
        if (pending.size() > MAX_PENDING_REPLIES) {
            pauseReading();
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

    /** Replies with a copy of {@code wire}, bytes already in RESP form. */
    public void reply(byte[] wire) {
        reply(Unpooled.wrappedBuffer(wire));
    }

    /** Replies with the error {@code -message\r\n}. */
    public void replyError(String message) {
        reply(Unpooled.copiedBuffer("-" + message + "\r\n", StandardCharsets.UTF_8));
    }

    /** A slot for a reply that will come later, in this command's place. */
    public Reply replyLater() {
        Reply slot = new Reply();
        pending.add(slot);
        return slot;
    }

    /** Closes the connection once every reply so far has been written, as after QUIT or a protocol error. */
    public void closeAfterReplies() {
        closing = true;
        if (pending.isEmpty()) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void drain() {
        for (Reply head; (head = pending.peek()) != null && head.done;) {
            pending.poll();
            write(head.reply);
        }
        if (pending.isEmpty() && closing) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else if (readingPaused && pending.size() <= MAX_PENDING_REPLIES / 2 && ctx.channel().isWritable()) {
            resumeReading();
        }
    }

    private void write(ByteBuf reply) {
        Channel channel = ctx.channel();
        if (!channel.isActive()) {
            reply.release();
            return;
        }
        ctx.write(reply, ctx.voidPromise());
        flushTarget.flushLater();
    }

    // ---- backpressure -------------------------------------------------------------------------

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable()) {
            pauseReading();
        } else if (pending.size() <= MAX_PENDING_REPLIES / 2) {
            resumeReading();
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
        for (Reply slot; (slot = pending.poll()) != null;) {
            slot.discard();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            // Resets and broken pipes are how clients leave; not worth a warning.
            LOG.log(Level.FINE, "{0}: {1}", new Object[] {describe(), cause.toString()});
        } else {
            LOG.log(Level.WARNING, describe() + ": closing after an unexpected error", cause);
        }
        ctx.close();
    }

    /** True while replies are still owed to the client. */
    public boolean hasPendingReplies() {
        return !pending.isEmpty();
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

        void complete(ByteBuf value) {
            reply = value;
            done = true;
        }

        /** Takes ownership of {@code frame}. */
        @Override
        public void onReply(ByteBuf frame) {
            if (done) {
                frame.release();
                return;
            }
            complete(frame);
            drain();
        }

        @Override
        public void onFailure(String error) {
            onReply(Unpooled.copiedBuffer("-" + error + "\r\n", StandardCharsets.UTF_8));
        }

        private void discard() {
            if (reply != null) {
                reply.release();
            }
            done = true;
        }
    }
}
