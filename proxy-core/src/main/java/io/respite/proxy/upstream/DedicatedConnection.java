package io.respite.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.respite.proxy.reply.ReplyCallback;

/**
 * An upstream connection leased by one client session, for state that lives on a connection:
 * transactions, WATCH, blocking commands, subscriptions, MONITOR, client-side tracking. The
 * session gives it back ({@link #release}) when that state has ended, or closes it when the
 * state cannot be vouched for; either ends the lease, and every later call is refused. Frames no
 * command is waiting for (pub/sub messages, pushes, MONITOR output, the replies to commands sent
 * with {@link #sendWithoutReply}) go to the owner's frame consumer in arrival order. It never
 * reconnects: if it breaks, the owner is told and the state it held is gone, as it would be for a
 * client of Redis itself. Only the owner's event loop may call it.
 *
 * <p>Timeouts: a command sent {@code timed} that gets no frame back within {@code --timeout} breaks
 * the connection (the owner is told, as for any other loss). Commands that may rightly wait for
 * ever, blocking ones above all, are sent untimed.
 */
public interface DedicatedConnection {

    /**
     * Sends a command that gets exactly one reply, delivered to {@code callback}. Takes ownership
     * of {@code frame}.
     *
     * @param timed whether the reply must come within {@code --timeout}
     */
    void send(int database, ByteBuf frame, ReplyCallback callback, boolean timed);

    /**
     * Sends a command whose replies, however many, arrive as frames to the owner's consumer.
     * Takes ownership of {@code frame}.
     *
     * @param timed whether some frame must arrive within {@code --timeout} of sending it
     */
    void sendWithoutReply(int database, ByteBuf frame, boolean timed);

    /**
     * A SELECT the session queued inside MULTI ran at EXEC: the connection is now in
     * {@code database}, and writes a SELECT before a command for any other.
     */
    void selected(int database);

    /**
     * Stops (or resumes) reading from the upstream, so that a client that does not read its
     * pub/sub messages holds them back in Redis, under Redis's own output limits, instead of in
     * respite's memory.
     */
    void pauseReading(boolean paused);

    /**
     * Ends the lease: the session holds no state on the connection any more and awaits no reply
     * on it, so the pool may lease it again. {@code clean}: nothing the session sent changed
     * connection state beyond what EXEC, DISCARD and UNWATCH end (no SELECT inside MULTI, no CLIENT
     * SETNAME, HELLO...), so the connection is leased again as it is; otherwise the pool resets it
     * first.
     */
    void release(boolean clean);

    /**
     * Ends the lease and closes the connection, whose state is unknown (a reply still due, a
     * subscription); the owner's loss callback is not called for a close asked for here.
     */
    void close();
}
