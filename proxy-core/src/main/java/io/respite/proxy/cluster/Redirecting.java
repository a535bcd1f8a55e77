package io.respite.proxy.cluster;

import io.netty.buffer.ByteBuf;
import io.respite.proxy.config.UpstreamUri.Seed;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The reply of a command sent to a slot's primary: a MOVED reply updates the slot map and sends
 * the command to the new owner; ASK sends {@code ASKING} and the command to the importing node,
 * on the same connection, back to back; TRYAGAIN and CLUSTERDOWN (a migration or a failover in
 * progress) send it again after a pause, within {@code --timeout}. Anything else goes to the
 * client's callback, which sees no redirection. Keeps one reference to the command's frame for
 * the retries, released when the client's callback has its answer. On the lane's loop.
 */
final class Redirecting implements ReplyCallback {

    /** Redirections followed for one command before its last error is passed on. */
    static final int MAX_REDIRECTIONS = 16;

    private static final long FIRST_PAUSE_MILLIS = 20;

    private final ClusterLane lane;
    private final int slot;
    private final RespVersion version;
    private final ByteBuf frame;
    private final ReplyCallback next;
    private final long deadlineNanos;
    private int redirections;
    /** The client's callback has had its answer (and the frame was released). */
    private boolean finished;

    /** Takes ownership of {@code frame}: a reference kept for retries. */
    Redirecting(ClusterLane lane, int slot, RespVersion version, ByteBuf frame, ReplyCallback next) {
        this.lane = lane;
        this.slot = slot;
        this.version = version;
        this.frame = frame;
        this.next = next;
        this.deadlineNanos = System.nanoTime() + lane.upstream().timeoutNanos();
    }

    @Override
    public void onReply(ByteBuf reply) {
        if (finished || reply.getByte(reply.readerIndex()) != '-' || redirections >= MAX_REDIRECTIONS) {
            done(reply);
            return;
        }
        String error =
                reply.toString(reply.readerIndex(), Math.min(reply.readableBytes(), 200), StandardCharsets.UTF_8);
        if (error.startsWith("-MOVED ")) {
            Seed target = target(error);
            if (target != null) {
                reply.release();
                redirections++;
                lane.upstream().moved(slot, target);
                lane.node(target).send(0, version, frame.retainedDuplicate(), this);
                return;
            }
        } else if (error.startsWith("-ASK ")) {
            Seed target = target(error);
            if (target != null) {
                reply.release();
                redirections++;
                lane.upstream().asked(slot);
                RespCommand asking = RespCommand.of("ASKING");
                ByteBuf askingFrame = asking.frame().retain();
                asking.release();
                lane.node(target).send(0, version, askingFrame, ClusterLane.IGNORED);
                lane.node(target).send(0, version, frame.retainedDuplicate(), this);
                return;
            }
        } else if ((error.startsWith("-TRYAGAIN") || error.startsWith("-CLUSTERDOWN"))
                && System.nanoTime() < deadlineNanos) {
            reply.release();
            long pause = FIRST_PAUSE_MILLIS << Math.min(redirections, 5);
            redirections++;
            lane.upstream().nodeTrouble();
            lane.loop().schedule(this::resendToOwner, pause, TimeUnit.MILLISECONDS);
            return;
        }
        done(reply);
    }

    /** Sends the command again to the slot's owner as the map now says (a failover may have changed it). */
    private void resendToOwner() {
        Seed owner = lane.upstream().slots().owner(slot);
        if (owner == null) {
            done(ClusterLane.error(ClusterLane.CLUSTER_DOWN));
        } else {
            lane.node(owner).send(0, version, frame.retainedDuplicate(), this);
        }
    }

    /** Hands the reply on, then lets go of the command's bytes: once, whatever the next callback does. */
    private void done(ByteBuf reply) {
        if (finished) {
            reply.release();
            return;
        }
        finished = true;
        try {
            next.onReply(reply);
        } finally {
            frame.release();
        }
    }

    @Override
    public void onFailure(String error) {
        if (finished) {
            return;
        }
        finished = true;
        try {
            lane.upstream().nodeTrouble();
            next.onFailure(error);
        } finally {
            frame.release();
        }
    }

    /** The node in {@code -MOVED 3999 127.0.0.1:6381}, or null if it cannot be read. */
    static @Nullable Seed target(String error) {
        String[] words = error.strip().split(" ", 4);
        if (words.length < 3) {
            return null;
        }
        String address = words[2];
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new Seed(host, Integer.parseInt(address.substring(colon + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
