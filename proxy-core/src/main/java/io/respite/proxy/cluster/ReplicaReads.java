package io.respite.proxy.cluster;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;
import io.respite.proxy.command.CommandInfo;
import io.respite.proxy.config.ReadFrom;
import io.respite.proxy.config.UpstreamUri.Seed;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Forwarded read-only commands on a slot's replicas ({@code --read-from}): which commands may go
 * there, and how they get there. A replica is picked at random among those the last topology
 * refresh named healthy; a MOVED from it (it no longer serves the slot) is followed as any other.
 * With {@code replica-preferred}, a replica that cannot answer (its connection failed, it is
 * loading, or its link to the primary is down and it refuses stale reads) sends the command to
 * the primary instead; with {@code replica}, the client sees what the replica said. On the lane's
 * loop.
 */
final class ReplicaReads {

    /** The error of {@code --read-from replica} when the slot's primary has no replica. */
    static final String NO_REPLICA = "ERR no replica of this slot's primary is known (--read-from replica)";

    /**
     * Read-only commands that stay on primaries: GET and MGET fill the cache, which only the
     * primary's tracking keeps coherent; EVALSHA_RO names a script SCRIPT LOAD put on the primaries
     * only (Redis 7 does not replicate it); TOUCH and OBJECT are about the primary's own access
     * clock, which eviction reads.
     */
    private static final List<byte[]> PRIMARY_ONLY = List.of(
            "GET".getBytes(US_ASCII),
            "MGET".getBytes(US_ASCII),
            "EVALSHA_RO".getBytes(US_ASCII),
            "TOUCH".getBytes(US_ASCII),
            "OBJECT".getBytes(US_ASCII));

    private ReplicaReads() {}

    /** Whether {@code command} may read a replica: flagged read-only by Redis, and none of {@link #PRIMARY_ONLY}. */
    static boolean eligible(RespCommand command, @Nullable CommandInfo info) {
        if (info == null || !info.hasFlag("readonly") || info.mayWrite()) {
            return false;
        }
        for (byte[] name : PRIMARY_ONLY) {
            if (command.argEqualsIgnoreCase(0, name)) {
                return false;
            }
        }
        return true;
    }

    /** Sends {@code frame} (taking ownership) to a replica of {@code slot}'s primary, as {@code --read-from} says. */
    static void send(ClusterLane lane, int slot, RespVersion version, ByteBuf frame, ReplyCallback callback) {
        ClusterUpstream upstream = lane.upstream();
        SlotMap slots = upstream.slots();
        Seed owner = slots.owner(slot);
        List<Seed> replicas = owner == null ? List.of() : slots.replicas(owner);
        if (replicas.isEmpty()) {
            if (owner != null && upstream.readFrom() == ReadFrom.REPLICA) {
                frame.release();
                callback.onReply(ClusterLane.error(NO_REPLICA));
            } else {
                lane.sendToSlot(slot, version, frame, callback);
            }
            return;
        }
        Seed replica = replicas.get(ThreadLocalRandom.current().nextInt(replicas.size()));
        ReplyCallback answer = upstream.readFrom() == ReadFrom.REPLICA_PREFERRED
                ? new PrimaryIfUnanswered(lane, slot, version, frame.retainedDuplicate(), callback)
                : callback;
        Redirecting redirecting = new Redirecting(lane, slot, version, frame.retainedDuplicate(), answer);
        upstream.replicaPool(replica).lane(lane.loop()).send(0, version, frame, redirecting);
    }

    /**
     * The replica's answer, or, when it could not give one, the primary's: the command is sent
     * there once. Keeps a reference to the command's frame until then.
     */
    private static final class PrimaryIfUnanswered implements ReplyCallback {

        private final ClusterLane lane;
        private final int slot;
        private final RespVersion version;
        private final ByteBuf frame;
        private final ReplyCallback next;

        /** Takes ownership of {@code frame}. */
        PrimaryIfUnanswered(ClusterLane lane, int slot, RespVersion version, ByteBuf frame, ReplyCallback next) {
            this.lane = lane;
            this.slot = slot;
            this.version = version;
            this.frame = frame;
            this.next = next;
        }

        @Override
        public void onReply(ByteBuf reply) {
            if (unanswered(reply)) {
                reply.release();
                lane.sendToSlot(slot, version, frame, next);
                return;
            }
            frame.release();
            next.onReply(reply);
        }

        @Override
        public void onFailure(String error) {
            lane.sendToSlot(slot, version, frame, next);
        }

        /** A replica's refusal to serve at all, as opposed to the command's own error. */
        private static boolean unanswered(ByteBuf reply) {
            if (reply.readableBytes() < 12 || reply.getByte(reply.readerIndex()) != '-') {
                return false;
            }
            String start = reply.toString(reply.readerIndex(), 12, US_ASCII);
            return start.startsWith("-LOADING") || start.startsWith("-MASTERDOWN");
        }
    }
}
