package io.respite.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.respite.proxy.reply.ReplyCallback;

/**
 * An upstream connection owned by one client session, for state that lives on a connection:
 * transactions, WATCH, blocking commands, subscriptions, MONITOR, client-side tracking. Frames no
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
     * Stops (or resumes) reading from the upstream, so that a client that does not read its
     * pub/sub messages holds them back in Redis, under Redis's own output limits, instead of in
     * respite's memory.
     */
    void pauseReading(boolean paused);

    /** Closes the connection; the owner's loss callback is not called for a close asked for here. */
    void close();
}
