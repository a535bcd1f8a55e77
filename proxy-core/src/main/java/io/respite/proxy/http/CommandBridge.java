package io.respite.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.session.ClientSession;
import io.respite.proxy.session.CommandHandler;
import io.respite.proxy.session.ReplySink;
import io.respite.resp.RespCommand;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP connection as the command router sees it: one more client, whose commands respite
 * writes itself and whose every reply goes to the callback the command was sent with, in RESP2.
 * The router answers each command exactly once, at once ({@code reply}) or later
 * ({@code replyLater}), and {@link #send} hands that answer to the command's own callback, so
 * responses need no shared reply queue: the connection orders whole responses itself.
 *
 * <p>The HTTP API sends only commands that hold no connection state (GET, SET, DEL, EXISTS, SELECT,
 * AUTH): the seams for pinned clients and subscribers are never used and say so.
 *
 * <p>Owned by its {@link HttpConnection}, on the channel's event loop; not thread-safe.
 */
final class CommandBridge implements ReplySink {

    private final Channel channel;
    private final Runnable close;
    private final long id = ClientSession.nextClientId();
    private final CommandHandler handler;
    /** The callback of the command being handed to the router, until the router answered it. */
    private @Nullable ReplyCallback target;
    /** The database the router's context for this connection is in. */
    private int database;
    /** The context has been given the password (the request had it: Routes checked). */
    private boolean authenticated;

    /**
     * @param handlers makes this connection's context in the router
     * @param database the database a new client starts in
     * @param close closes the HTTP connection (CLIENT KILL, a protocol guard)
     */
    CommandBridge(Channel channel, Function<ReplySink, CommandHandler> handlers, int database, Runnable close) {
        this.channel = channel;
        this.close = close;
        this.database = database;
        this.handler = handlers.apply(this);
    }

    /**
     * Runs {@code command} in {@code db}; its reply, or failure, reaches {@code callback} exactly
     * once. Takes ownership of {@code command}.
     *
     * @return false, without sending it, when {@code db} cannot be selected (out of range)
     */
    boolean send(int db, RespCommand command, ReplyCallback callback) {
        if (db != database && !select(db)) {
            command.release();
            return false;
        }
        handOver(command, callback);
        return true;
    }

    /** Authenticates the router's context for this connection with {@code password}, once. */
    void authenticate(byte[] password) {
        if (authenticated) {
            return;
        }
        authenticated = true;
        handOver(RespCommand.of("AUTH".getBytes(StandardCharsets.US_ASCII), password), new ReplyCallback() {
            @Override
            public void onReply(ByteBuf frame) {
                frame.release();
            }

            @Override
            public void onFailure(String error) {
                // Answered here, never upstream.
            }
        });
    }

    /** The router's client for this connection: closed with it. */
    CommandHandler handler() {
        return handler;
    }

    /** Selects {@code db}, which the router answers at once: whether it could. */
    private boolean select(int db) {
        boolean[] selected = new boolean[1];
        handOver(RespCommand.of("SELECT", Integer.toString(db)), new ReplyCallback() {
            @Override
            public void onReply(ByteBuf frame) {
                selected[0] = !ReplyFrames.isError(frame);
                frame.release();
            }

            @Override
            public void onFailure(String error) {
                // Not answered here: the database stays unknown, so the request is refused.
            }
        });
        if (selected[0]) {
            database = db;
        }
        return selected[0];
    }

    /** Hands {@code command} to the router with {@code callback} as its answer. Takes ownership of {@code command}. */
    private void handOver(RespCommand command, ReplyCallback callback) {
        target = callback;
        try {
            handler.handle(command);
        } finally {
            command.release();
            if (target != null) {
                target = null;
                callback.onFailure("ERR respite gave no reply to an HTTP request's command");
            }
        }
    }

    private ReplyCallback takeTarget() {
        ReplyCallback callback = target;
        if (callback == null) {
            throw new IllegalStateException("a reply with no command of the HTTP API waiting for it");
        }
        target = null;
        return callback;
    }

    @Override
    public void reply(ByteBuf reply) {
        takeTarget().onReply(reply);
    }

    /** Wraps the cache's bytes, which are never written again once cached, instead of copying them. */
    @Override
    public void reply(byte[] wire) {
        takeTarget().onReply(Unpooled.wrappedBuffer(wire));
    }

    @Override
    public void replyError(String message) {
        takeTarget().onReply(Unpooled.copiedBuffer("-" + message + "\r\n", StandardCharsets.UTF_8));
    }

    @Override
    public ReplyCallback replyLater() {
        return takeTarget();
    }

    /** Takes ownership of {@code frame}: an HTTP client subscribes to nothing, so nothing is relayed. */
    @Override
    public void relay(ByteBuf frame) {
        frame.release();
    }

    /** Takes ownership of {@code push}, as {@link #relay}. */
    @Override
    public void push(ByteBuf push) {
        push.release();
    }

    @Override
    public boolean hasPendingReplies() {
        return false;
    }

    @Override
    public void holdUntilDrained(RespCommand command) {
        throw new IllegalStateException("the HTTP API holds no connection state");
    }

    @Override
    public Runnable holdUntilResumed(RespCommand command) {
        throw new IllegalStateException("the HTTP API holds no connection state");
    }

    @Override
    public void subscriberOutputLimits(boolean subscriber) {
        // An HTTP client never subscribes.
    }

    @Override
    public void closeAfterReplies() {
        close.run();
    }

    @Override
    public void abort() {
        close.run();
    }

    @Override
    public void requireAuthentication(boolean required) {
        // HTTP requests are authenticated by their Authorization header, before any command.
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public SocketAddress localAddress() {
        return channel.localAddress();
    }

    @Override
    public String describe() {
        return "http client " + id + " " + channel.remoteAddress();
    }
}
