package io.respite.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.session.CallbackSink;
import io.respite.proxy.session.CommandHandler;
import io.respite.proxy.session.ReplySink;
import io.respite.resp.RespCommand;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * An HTTP connection as the command router sees it: one more client, whose commands respite
 * writes itself and whose every reply goes to the callback the command was sent with ({@link
 * CallbackSink}), so responses need no shared reply queue: the connection orders whole responses
 * itself.
 *
 * <p>Owned by its {@link HttpConnection}, on the channel's event loop; not thread-safe.
 */
final class CommandBridge extends CallbackSink {

    private final Channel channel;
    private final Runnable close;
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
        super(handlers, "the HTTP API");
        this.channel = channel;
        this.close = close;
        this.database = database;
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

    /** Selects {@code db}: whether it could (else the request is refused). */
    private boolean select(int db) {
        boolean selected = handOverSelect(db);
        if (selected) {
            database = db;
        }
        return selected;
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
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public SocketAddress localAddress() {
        return channel.localAddress();
    }

    @Override
    public String describe() {
        return "http client " + id() + " " + channel.remoteAddress();
    }
}
