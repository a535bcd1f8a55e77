package io.respite.proxy.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.respite.proxy.command.Catalog;
import io.respite.proxy.command.CommandInfo;
import io.respite.proxy.config.UpstreamUri.Seed;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.DedicatedConnection;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A session's dedicated connection in a cluster (MULTI, WATCH, blocking commands), bound to one
 * primary: the node of the first key it is sent, as a transaction in Redis Cluster lives on one
 * node. A MULTI that comes before any key is answered here, keyless commands after it are queued
 * here (answered QUEUED), and all are sent ahead of the first command that names a key (or of
 * EXEC), so a transaction goes where its keys are. A later key
 * of another node gets the CROSSSLOT error in place of the node's MOVED, and the node flags the
 * transaction, so EXEC aborts as Redis Cluster's would. Only the session's loop calls it.
 */
final class ClusterDedicated implements DedicatedConnection {

    private static final byte[] MULTI = "MULTI".getBytes(StandardCharsets.US_ASCII);
    private static final String NONE_TO_SPARE =
            "ERR respite has no dedicated connection to spare for this node (see --max-pinned)";
    private static final byte[] EXEC = "EXEC".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DISCARD = "DISCARD".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] QUEUED = "+QUEUED\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";

    private final ClusterLane lane;
    private final RespVersion version;
    private final Consumer<ByteBuf> frames;
    private final Consumer<String> lost;
    private @Nullable DedicatedConnection bound;
    /** A MULTI was answered here and waits to be sent to the node the transaction binds to. */
    private boolean multiPending;
    /** A command of the pending transaction could not bind: its EXEC aborts. */
    private boolean transactionFailed;
    /** Keyless commands of the pending transaction, answered QUEUED here, each with its database; owned. */
    private final List<Queued> queued = new ArrayList<>();

    /** A command queued here, and the frame it owns. */
    private record Queued(int database, ByteBuf frame) {}

    ClusterDedicated(ClusterLane lane, RespVersion version, Consumer<ByteBuf> frames, Consumer<String> lost) {
        this.lane = lane;
        this.version = version;
        this.frames = frames;
        this.lost = lost;
    }

    @Override
    public void send(int database, ByteBuf frame, ReplyCallback callback, boolean timed) {
        if (bound == null) {
            RespCommand command = Requests.parse(frame);
            try {
                if (!takenHere(database, command, frame, callback)) {
                    return;
                }
            } finally {
                command.release();
            }
        }
        bound().send(database, frame, new NoRedirection(callback), timed);
    }

    /**
     * A command while no node is bound: answered here (a MULTI, a keyless command queued behind
     * it, EXEC or DISCARD of a transaction that could not bind), or the connection bound for it.
     * Returns true when the command is to be sent on the bound connection; otherwise it was
     * answered and {@code frame} is released or kept. Borrows {@code command}.
     */
    private boolean takenHere(int database, RespCommand command, ByteBuf frame, ReplyCallback callback) {
        boolean lone = command.argCount() == 1;
        if (lone && command.argEqualsIgnoreCase(0, MULTI) && !multiPending) {
            multiPending = true;
            frame.release();
            callback.onReply(PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(OK));
            return false;
        }
        boolean ends = lone && (command.argEqualsIgnoreCase(0, EXEC) || command.argEqualsIgnoreCase(0, DISCARD));
        if (multiPending && transactionFailed && ends) {
            boolean exec = command.argEqualsIgnoreCase(0, EXEC);
            frame.release();
            forgetTransaction();
            callback.onReply(
                    exec
                            ? ClusterLane.error(EXECABORT)
                            : PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(OK));
            return false;
        }
        if (multiPending && !ends && firstKey(command) < 0) {
            // Keyless inside MULTI: queued here until a key says where the transaction goes.
            queued.add(new Queued(database, frame));
            callback.onReply(PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(QUEUED));
            return false;
        }
        if (multiPending && transactionFailed) {
            frame.release();
            callback.onReply(ClusterLane.error(NONE_TO_SPARE));
            return false;
        }
        if (!bind(command)) {
            frame.release();
            // Inside MULTI a command refused at queueing time makes EXEC abort, as in Redis.
            transactionFailed = multiPending;
            callback.onReply(ClusterLane.error(NONE_TO_SPARE));
            return false;
        }
        return true;
    }

    private void forgetTransaction() {
        multiPending = false;
        transactionFailed = false;
        for (Queued command : queued) {
            command.frame().release();
        }
        queued.clear();
    }

    @Override
    public void sendWithoutReply(int database, ByteBuf frame, boolean timed) {
        if (bound == null) {
            boolean bindable;
            RespCommand command = Requests.parse(frame);
            try {
                bindable = bind(command);
            } finally {
                command.release();
            }
            if (!bindable) {
                frame.release();
                lost.accept(NONE_TO_SPARE);
                return;
            }
        }
        bound().sendWithoutReply(database, frame, timed);
    }

    private DedicatedConnection bound() {
        DedicatedConnection connection = bound;
        if (connection == null) {
            throw new IllegalStateException("unbound");
        }
        return connection;
    }

    /** Leases a connection on the node of {@code command}'s first key (any primary if it has none). */
    private boolean bind(RespCommand command) {
        Seed node = nodeOf(command);
        if (node == null) {
            return false;
        }
        DedicatedConnection connection = lane.node(node).dedicated(version, frames, lost);
        if (connection == null) {
            return false;
        }
        bound = connection;
        if (multiPending) {
            multiPending = false;
            RespCommand multi = RespCommand.of("MULTI");
            ByteBuf frame = multi.frame().retain();
            multi.release();
            connection.send(0, frame, ClusterLane.IGNORED, true);
            // Their QUEUED was answered here: Redis's own is dropped (an error would still abort EXEC).
            for (Queued held : queued) {
                connection.send(held.database(), held.frame(), ClusterLane.IGNORED, true);
            }
            queued.clear();
        }
        return true;
    }

    /** The argument index of {@code command}'s first key, or -1 when it has none (or the table is not loaded). */
    private int firstKey(RespCommand command) {
        Catalog catalog = lane.upstream().catalog();
        CommandInfo info = catalog == null ? null : catalog.commands().lookup(command);
        if (info == null) {
            return -1;
        }
        IntArrayList keys = ClusterLane.keys(command, info);
        return keys.isEmpty() ? -1 : keys.getInt(0);
    }

    private @Nullable Seed nodeOf(RespCommand command) {
        SlotMap slots = lane.upstream().slots();
        int first = firstKey(command);
        if (first > 0) {
            Seed owner = slots.owner(Slots.of(
                    command.frame(),
                    command.frame().readerIndex() + command.argOffset(first),
                    command.argLength(first)));
            if (owner != null) {
                return owner;
            }
        }
        return slots.primaries().isEmpty()
                ? lane.upstream().seed()
                : slots.primaries().get(0);
    }

    @Override
    public void selected(int database) {
        if (bound != null) {
            bound.selected(database);
        }
    }

    @Override
    public void pauseReading(boolean paused) {
        if (bound != null) {
            bound.pauseReading(paused);
        }
    }

    @Override
    public void release(boolean clean) {
        forgetTransaction();
        DedicatedConnection connection = bound;
        bound = null;
        if (connection != null) {
            connection.release(clean);
        }
    }

    @Override
    public void close() {
        forgetTransaction();
        DedicatedConnection connection = bound;
        bound = null;
        if (connection != null) {
            connection.close();
        }
    }

    /** A pinned command's reply, a node's redirection turned into the CROSSSLOT error the client expects. */
    private record NoRedirection(ReplyCallback next) implements ReplyCallback {
        @Override
        public void onReply(ByteBuf frame) {
            if (frame.readableBytes() > 5 && frame.getByte(frame.readerIndex()) == '-') {
                String head = frame.toString(frame.readerIndex(), 5, StandardCharsets.US_ASCII);
                if (head.equals("-MOVE") || head.startsWith("-ASK ")) {
                    frame.release();
                    next.onReply(ClusterLane.error(ClusterLane.CROSSSLOT
                            + " (respite keeps this connection's transaction, WATCH or blocking command on one node)"));
                    return;
                }
            }
            next.onReply(frame);
        }

        @Override
        public void onFailure(String error) {
            next.onFailure(error);
        }
    }
}
