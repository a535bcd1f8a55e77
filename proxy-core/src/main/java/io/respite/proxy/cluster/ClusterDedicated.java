package io.respite.proxy.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.respite.proxy.command.Catalog;
import io.respite.proxy.command.CommandInfo;
import io.respite.proxy.command.KeySpec;
import io.respite.proxy.config.UpstreamUri.Seed;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.DedicatedConnection;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A session's dedicated connection in a cluster (MULTI, WATCH, blocking commands), bound to one
 * primary: the node of the first key it is sent, as a transaction in Redis Cluster lives on one
 * node. A MULTI that comes before any key is answered here and sent ahead of the first command
 * that names one (or of EXEC or DISCARD), so a transaction goes where its keys are. A later key
 * of another node gets the CROSSSLOT error in place of the node's MOVED, and the node flags the
 * transaction, so EXEC aborts as Redis Cluster's would. Only the session's loop calls it.
 */
final class ClusterDedicated implements DedicatedConnection {

    private static final byte[] MULTI = "MULTI".getBytes(StandardCharsets.US_ASCII);
    private static final String NONE_TO_SPARE =
            "ERR respite has no dedicated connection to spare for this node (see --max-pinned)";
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ClusterLane lane;
    private final RespVersion version;
    private final Consumer<ByteBuf> frames;
    private final Consumer<String> lost;
    private @Nullable DedicatedConnection bound;
    /** A MULTI was answered here and waits to be sent to the node the transaction binds to. */
    private boolean multiPending;

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
                if (command.argCount() == 1 && command.argEqualsIgnoreCase(0, MULTI) && !multiPending) {
                    multiPending = true;
                    frame.release();
                    callback.onReply(
                            PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(OK));
                    return;
                }
                if (!bind(command)) {
                    frame.release();
                    callback.onReply(ClusterLane.error(NONE_TO_SPARE));
                    return;
                }
            } finally {
                command.release();
            }
        }
        bound().send(database, frame, new NoRedirection(callback), timed);
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
        }
        return true;
    }

    private @Nullable Seed nodeOf(RespCommand command) {
        SlotMap slots = lane.upstream().slots();
        Catalog catalog = lane.upstream().catalog();
        CommandInfo info = catalog == null ? null : catalog.commands().lookup(command);
        int[] first = {-1};
        if (info != null) {
            for (KeySpec spec : info.keySpecs()) {
                spec.forEachKey(command, index -> {
                    if (first[0] < 0) {
                        first[0] = index;
                    }
                });
            }
        }
        if (first[0] > 0) {
            Seed owner = slots.owner(Slots.of(
                    command.frame(),
                    command.frame().readerIndex() + command.argOffset(first[0]),
                    command.argLength(first[0])));
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
        multiPending = false;
        DedicatedConnection connection = bound;
        bound = null;
        if (connection != null) {
            connection.release(clean);
        }
    }

    @Override
    public void close() {
        multiPending = false;
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
