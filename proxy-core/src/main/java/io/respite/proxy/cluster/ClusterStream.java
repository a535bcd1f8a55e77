package io.respite.proxy.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.respite.proxy.config.UpstreamUri.Seed;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.ConnectionListener;
import io.respite.proxy.upstream.ControlConnection;
import io.respite.resp.RespCommand;
import io.respite.resp.RespType;
import io.respite.resp.codec.RespFrames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The invalidation stream of a cluster: one control connection per primary, seen by coherence as
 * one stream that comes up once every primary's first is. After that, a node's stream that is
 * lost (or a new primary's not up yet) concerns that node's slots only: the upstream stops its
 * connections tracking and drops its entries ({@link ClusterUpstream#nodeStreamLost}), and sets
 * them tracking again when it is back; coherence, and the other nodes' entries, carry on.
 *
 * <p>Commands sent on it go to every node (CLIENT TRACKING ON BCAST, PING); the reply passed on
 * is the first error, else the first node's. Each
 * node's client id is learnt here, for the REDIRECT of that node's connections
 * ({@link ClusterUpstream#track}). Invalidation pushes go straight to the consumer, whichever
 * node sends them.
 *
 * <p>Thread-safety: lives on its loop; {@link #clientId} and {@link #primaries} may be called
 * from any thread.
 */
final class ClusterStream implements ControlConnection {

    private final ClusterUpstream upstream;
    private final EventLoop loop;
    private final Consumer<ByteBuf> pushes;
    private final ConnectionListener listener;
    private final Map<Seed, Node> nodes = new ConcurrentHashMap<>();
    private boolean opened;
    private boolean closed;
    private boolean up;

    ClusterStream(ClusterUpstream upstream, EventLoop loop, Consumer<ByteBuf> pushes, ConnectionListener listener) {
        this.upstream = upstream;
        this.loop = loop;
        this.pushes = pushes;
        this.listener = listener;
    }

    @Override
    public void open() {
        loop.execute(() -> {
            opened = true;
            apply(upstream.slots().primaries());
        });
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    /** The primaries are now {@code primaries}: streams open on new ones, close on former ones. */
    void primaries(List<Seed> primaries) {
        loop.execute(() -> apply(primaries));
    }

    private void apply(List<Seed> primaries) {
        if (!opened || closed) {
            return;
        }
        for (Seed seed : List.copyOf(nodes.keySet())) {
            if (!primaries.contains(seed)) {
                Node gone = nodes.remove(seed);
                if (gone != null) {
                    gone.connection.close();
                }
            }
        }
        for (Seed seed : primaries) {
            if (!nodes.containsKey(seed)) {
                Node node = new Node(seed);
                nodes.put(seed, node);
                node.connection = upstream.pool(seed).control(loop, pushes, node);
                node.connection.open();
            }
        }
        evaluate();
    }

    /** The client id of this stream's connection to {@code node}, or -1 while it has none. */
    long clientId(Seed node) {
        Node known = nodes.get(node);
        return known == null ? -1 : known.clientId;
    }

    /** Tells the listener once the stream as a whole is up: every primary's stream ready. */
    private void evaluate() {
        boolean all = !nodes.isEmpty();
        for (Node node : nodes.values()) {
            all &= node.clientId >= 0;
        }
        if (all && !up) {
            up = true;
            listener.ready(false);
        }
    }

    @Override
    public void send(ByteBuf frame, ReplyCallback callback) {
        List<Node> ready = new ArrayList<>();
        for (Node node : nodes.values()) {
            if (node.clientId >= 0) {
                ready.add(node);
            }
        }
        if (ready.isEmpty()) {
            frame.release();
            callback.onFailure("ERR no primary's stream is up");
            return;
        }
        Fanout fanout = new Fanout(callback, "all_succeeded", PooledByteBufAllocator.DEFAULT, ready.size(), null, null);
        for (int i = 0; i < ready.size(); i++) {
            ready.get(i).connection.send(i == ready.size() - 1 ? frame : frame.retainedDuplicate(), fanout.part(i));
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Node node : nodes.values()) {
            node.connection.close();
        }
        nodes.clear();
    }

    /** One primary's stream. */
    private final class Node implements ConnectionListener {
        private final Seed seed;
        private ControlConnection connection = NOT_OPEN;
        /** Learnt once the connection is ready; -1 while it is not. */
        private volatile long clientId = -1;

        Node(Seed seed) {
            this.seed = seed;
        }

        @Override
        public void ready(boolean recovered) {
            RespCommand id = RespCommand.of("CLIENT", "ID");
            ByteBuf frame = id.frame().retain();
            id.release();
            connection.send(frame, new ReplyCallback() {
                @Override
                public void onReply(ByteBuf reply) {
                    try {
                        if (RespFrames.type(reply) == RespType.INTEGER && nodes.get(seed) == Node.this) {
                            clientId = RespFrames.integer(reply);
                            if (up) {
                                upstream.nodeStreamBack(seed);
                            } else {
                                evaluate();
                            }
                        }
                    } finally {
                        reply.release();
                    }
                }

                @Override
                public void onFailure(String error) {
                    // The connection is failing: down() follows.
                }
            });
        }

        @Override
        public void down(String cause) {
            clientId = -1;
            upstream.nodeTrouble();
            if (cause.startsWith("the upstream does not speak RESP3")) {
                // No node of this cluster can track: coherence falls back to ttl.
                listener.down(cause);
            } else if (up && nodes.get(seed) == this) {
                upstream.nodeStreamLost(seed);
            }
        }
    }

    private static final ControlConnection NOT_OPEN = new ControlConnection() {
        @Override
        public void open() {}

        @Override
        public EventLoop loop() {
            throw new IllegalStateException("not open");
        }

        @Override
        public void send(ByteBuf frame, ReplyCallback callback) {
            frame.release();
            callback.onFailure("ERR not open");
        }

        @Override
        public void close() {}
    };
}
