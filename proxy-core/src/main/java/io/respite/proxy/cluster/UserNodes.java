package io.respite.proxy.cluster;

import io.netty.channel.EventLoop;
import io.respite.proxy.config.UpstreamUri.Seed;
import io.respite.proxy.upstream.UpstreamPool;
import io.respite.proxy.upstream.UserLane;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One Redis user's lanes to the cluster's nodes on one loop ({@code --auth passthrough}): each
 * opened from the node's pool on first use, so that every command of the user's clients runs
 * upstream as that user on whatever node it goes to, and all closed with the user's cluster lane.
 * A node whose pool was replaced (retired, then named again) gets a lane of the new pool. Owned by
 * the user's {@link ClusterLane}; only its loop may call it.
 */
final class UserNodes {

    private final String user;
    private final String secret;
    /** Told of a node whose user lane went down or closed: the keys it read are no longer tracked. */
    private final Consumer<Seed> down;

    private final Map<Seed, Opened> lanes = new HashMap<>();

    /** A node's user lane and the pool it came from. */
    private record Opened(UpstreamPool pool, UserLane lane) {}

    UserNodes(String user, String secret, Consumer<Seed> down) {
        this.user = user;
        this.secret = secret;
        this.down = down;
    }

    /** The user's lane to {@code node}, whose pool is {@code pool}, on {@code loop}. */
    UserLane lane(Seed node, UpstreamPool pool, EventLoop loop) {
        Opened opened = lanes.get(node);
        if (opened == null || opened.pool() != pool) {
            // A replaced pool closed its lanes, this one included: a lane of the new one.
            opened = new Opened(pool, pool.users(cause -> down.accept(node)).open(loop, user, secret));
            lanes.put(node, opened);
        }
        return opened.lane();
    }

    /** Closes every node lane of the user. */
    void close() {
        for (Opened opened : lanes.values()) {
            opened.lane().close();
        }
        lanes.clear();
    }
}
