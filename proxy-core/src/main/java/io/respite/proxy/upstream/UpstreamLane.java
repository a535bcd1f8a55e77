package io.respite.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One event loop's way upstream. Only the loop's own thread may call it. Commands sent through
 * one lane with the same protocol version are executed upstream in the order they were sent,
 * whatever their database, and their replies reach the callbacks in that order.
 */
public interface UpstreamLane {

    /**
     * Sends one command; its reply (or failure) reaches {@code callback} on this lane's loop.
     * Takes ownership of {@code frame}, a complete RESP request. Flushing is batched per loop
     * iteration.
     *
     * @param database the logical database the command must run in
     * @param version the protocol the reply must be in
     */
    void send(int database, RespVersion version, ByteBuf frame, ReplyCallback callback);

    /** The event loop this lane belongs to: the only thread that may call it. */
    EventLoop loop();

    /**
     * The epoch of the tracking setup in force for commands sent now with {@code version}
     * ({@link TrackingSetup}), or -1 when their reads are not tracked.
     */
    int trackingEpoch(RespVersion version);

    /**
     * The epoch of the tracking setup in force for a read of argument {@code keyArg} of
     * {@code command} sent now with {@code version}, or -1 when it would not be tracked: where
     * different keys go to different nodes (a Redis Cluster), the epoch of the node the key goes
     * to. Borrows {@code command}.
     */
    default int trackingEpoch(RespVersion version, RespCommand command, int keyArg) {
        return trackingEpoch(version);
    }

    /**
     * Sends one command on a connection of its own, opened for it and closed after its reply,
     * with a handshake Redis answers even while a script keeps it busy: for SCRIPT KILL, FUNCTION
     * KILL, SHUTDOWN and the like, which must not wait behind the lane (or behind the very script
     * they stop). Counts as a dedicated connection while open; fails with the client's error text
     * when none can be had. Takes ownership of {@code frame}. The connection selects no database
     * (a busy Redis refuses SELECT): only for commands that use none.
     */
    void sendOutOfBand(RespVersion version, ByteBuf frame, ReplyCallback callback);

    /**
     * Leases a dedicated connection for one session's connection-scoped state (an idle one of the
     * loop's pool, or a new one), or returns null when {@code --max-pinned} are busy. The session
     * gives it back ({@link DedicatedConnection#release}) as soon as that state ends.
     *
     * @param frames receives, taking ownership, every frame no command sent with a callback waits for
     * @param lost told once, with the error text for the client, if the connection breaks
     */
    @Nullable
    DedicatedConnection dedicated(RespVersion version, Consumer<ByteBuf> frames, Consumer<String> lost);

    /**
     * Calls {@code wake} on this lane's loop with true once a dedicated connection may be had
     * again (a lease ended: {@link #dedicated} may now succeed, or may find it taken and wait
     * again), or with false after {@code --timeout} without one.
     */
    void awaitDedicated(Consumer<Boolean> wake);

    /**
     * Opens a RESP3 connection for the loop's subscriptions ({@code SubscriberHub}): not leased
     * and not counted in {@code --max-pinned}, since one serves every subscriber of the loop. Its
     * pushes (messages and confirmations) go to {@code frames}, taking ownership; {@code lost} is
     * told once if it breaks. Close it with {@link DedicatedConnection#close}.
     */
    DedicatedConnection subscriber(Consumer<ByteBuf> frames, Consumer<String> lost);

    /**
     * The lane whose {@link #subscriber} connection holds the shard channels {@code channels} (one
     * SSUBSCRIBE's, at least one): this one for a single Redis, which holds them all; in a Redis
     * Cluster, the lane of the primary serving their slot, or null when they do not all hash to one
     * slot (Redis Cluster's CROSSSLOT).
     */
    default @Nullable UpstreamLane shardLane(List<byte[]> channels) {
        return this;
    }

    /**
     * Redis refused a shard subscription with {@code error}: whether it may succeed if sent again
     * to {@link #shardLane}, which now knows better (in a Redis Cluster, a MOVED, whose slot owner
     * is learnt here). Never for a single Redis.
     */
    default boolean shardRedirected(String error) {
        return false;
    }

    /**
     * A subscriber connection holding shard channels broke: in a Redis Cluster a sign that its
     * node failed, so the topology is looked at again at once (else the next SSUBSCRIBE of its
     * slots would go to the dead node until the periodic refresh). Nothing for a single Redis.
     */
    default void shardLost() {}
}
