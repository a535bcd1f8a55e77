package io.respite.proxy.session;

import io.netty.buffer.ByteBuf;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespCommand;
import java.net.SocketAddress;

/**
 * What a {@link CommandHandler} may do with its client: reply in request order, now or later,
 * relay frames, hold a command back until everything ahead of it is answered, and close. The
 * handler never sees the channel. Every method runs on the client's event loop.
 */
public interface ReplySink {

    /** Replies with {@code reply}, in order. Takes ownership of {@code reply}. */
    void reply(ByteBuf reply);

    /** Replies with a copy of {@code wire}, bytes already in RESP form (a cache hit). Borrows {@code wire}. */
    void reply(byte[] wire);

    /** Replies with the error {@code -message\r\n}. */
    void replyError(String message);

    /**
     * A place in the reply order for a reply that will come later: complete it exactly once. The
     * client's backpressure counts it as in flight until then.
     */
    ReplyCallback replyLater();

    /**
     * A frame no command waits for (pub/sub messages, MONITOR output, pushes), written in arrival
     * order within the client's output limits. Takes ownership of {@code frame}.
     */
    void relay(ByteBuf frame);

    /**
     * A RESP3 push (a pub/sub message): written at once, between whole replies, ahead of replies
     * still due, as Redis writes pushes, within the client's output limits. Takes ownership of
     * {@code push}.
     */
    void push(ByteBuf push);

    /** True while replies are owed to the client. */
    boolean hasPendingReplies();

    /**
     * Keeps {@code command} (retaining it) until every reply owed now has been written, then hands
     * it to the handler again, ahead of everything read after it; reading pauses meanwhile. For a
     * command that must not overtake anything on its way upstream. Borrows {@code command}.
     */
    void holdUntilDrained(RespCommand command);

    /**
     * Keeps {@code command} (retaining it) until the returned task runs, then hands it to the
     * handler again, ahead of everything read after it; reading pauses meanwhile. For a command
     * that waits for something other than replies (a dedicated connection to be free). The task
     * runs on the client's loop; only its first run counts. Borrows {@code command}.
     */
    Runnable holdUntilResumed(RespCommand command);

    /**
     * Puts the client under a subscriber's output limits ({@link OutputLimits#PUBSUB}, Redis's
     * {@code client-output-buffer-limit pubsub} defaults) while it has subscriptions, or back
     * under the configured ones.
     */
    void subscriberOutputLimits(boolean subscriber);

    /** Closes the connection once every reply so far has been written (QUIT, a lost connection state). */
    void closeAfterReplies();

    /** Closes the connection at once, dropping replies not written yet (Redis's cross-protocol guard). */
    void abort();

    /** Whether the client has yet to authenticate: until it has, Redis's tighter request limits apply. */
    void requireAuthentication(boolean required);

    /** The client's id, unique in this process, as CLIENT ID gives it. */
    long id();

    SocketAddress remoteAddress();

    SocketAddress localAddress();

    /** A short description for logs: id and remote address. */
    String describe();
}
