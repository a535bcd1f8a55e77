package io.respite.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A client of the command router that respite drives itself (an HTTP connection, the warm-up),
 * as the router sees it: it writes its own commands, one at a time, and every reply goes to the
 * callback the command was sent with, in RESP2. The router answers each command exactly once,
 * at once ({@code reply}) or later ({@code replyLater}), so no reply queue is needed. Such a
 * client sends only commands that hold no connection state (GET, SET, DEL, EXISTS, SELECT, AUTH):
 * the seams for pinned clients and subscribers are never used and say so.
 *
 * <p>Owned by one driver, on its event loop; not thread-safe.
 */
public abstract class CallbackSink implements ReplySink {

    private final String what;
    private final CommandHandler handler;
    private final long id = ClientSession.nextClientId();
    /** The callback of the command being handed to the router, until the router answered it. */
    private @Nullable ReplyCallback target;

    /**
     * @param handlers makes this client's context in the router
     * @param what     what drives it, for error messages, such as {@code "the HTTP API"}
     */
    @SuppressWarnings("this-escape") // the router keeps the sink for replies; nothing is called back here
    protected CallbackSink(Function<ReplySink, CommandHandler> handlers, String what) {
        this.what = what;
        this.handler = handlers.apply(this);
    }

    /** The router's client: to be told {@link CommandHandler#closed()} when the driver ends. */
    public final CommandHandler handler() {
        return handler;
    }

    /** Hands {@code command} to the router with {@code callback} as its answer. Takes ownership of {@code command}. */
    protected final void handOver(RespCommand command, ReplyCallback callback) {
        target = callback;
        try {
            handler.handle(command);
        } finally {
            command.release();
            if (target != null) {
                target = null;
                callback.onFailure("ERR respite gave no reply to a command of " + what);
            }
        }
    }

    /**
     * Hands {@code SELECT db} to the router, which answers it at once (respite keeps a client's
     * database): whether it was selected. An unanswered SELECT leaves the database unknown: false.
     */
    protected final boolean handOverSelect(int db) {
        boolean[] selected = new boolean[1];
        handOver(RespCommand.of("SELECT", Integer.toString(db)), new ReplyCallback() {
            /** Takes ownership of {@code frame}: released, only its type is read. */
            @Override
            public void onReply(ByteBuf frame) {
                selected[0] = frame.isReadable() && frame.getByte(frame.readerIndex()) == '+';
                frame.release();
            }

            @Override
            public void onFailure(String error) {
                // Not selected.
            }
        });
        return selected[0];
    }

    private ReplyCallback takeTarget() {
        ReplyCallback callback = target;
        if (callback == null) {
            throw new IllegalStateException("a reply with no command of " + what + " waiting for it");
        }
        target = null;
        return callback;
    }

    /** Takes ownership of {@code reply}, passing it on. */
    @Override
    public final void reply(ByteBuf reply) {
        takeTarget().onReply(reply);
    }

    /** Wraps the cache's bytes, which are never written again once cached, instead of copying them. */
    @Override
    public final void reply(byte[] wire) {
        takeTarget().onReply(Unpooled.wrappedBuffer(wire));
    }

    @Override
    public final void replyError(String message) {
        takeTarget().onReply(Unpooled.copiedBuffer("-" + message + "\r\n", StandardCharsets.UTF_8));
    }

    @Override
    public final ReplyCallback replyLater() {
        return takeTarget();
    }

    /** Takes ownership of {@code frame}: such a client subscribes to nothing, so nothing is relayed. */
    @Override
    public final void relay(ByteBuf frame) {
        frame.release();
    }

    /** Takes ownership of {@code push}, as {@link #relay}. */
    @Override
    public final void push(ByteBuf push) {
        push.release();
    }

    @Override
    public final boolean hasPendingReplies() {
        return false;
    }

    @Override
    public final void holdUntilDrained(RespCommand command) {
        throw new IllegalStateException(what + " holds no connection state");
    }

    @Override
    public final Runnable holdUntilResumed(RespCommand command) {
        throw new IllegalStateException(what + " holds no connection state");
    }

    @Override
    public final void subscriberOutputLimits(boolean subscriber) {
        // Never subscribes.
    }

    @Override
    public final long id() {
        return id;
    }
}
