package io.respite.proxy.cluster;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.respite.proxy.config.UpstreamUri;
import io.respite.proxy.config.UpstreamUri.Seed;
import io.respite.proxy.tls.LettuceTls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's slot map, learnt and kept fresh by Lettuce: discovery from the seed nodes, then a
 * refresh every {@code interval} and whenever respite sees a sign of change (a MOVED or ASK
 * reply, a node's connection lost), which is when Lettuce's own adaptive triggers would fire had
 * the traffic gone through its connections. Each map learnt is handed to the listener, on this
 * class's own thread.
 *
 * <p>Over TLS ({@code rediss-cluster://}), every connection Lettuce opens (to the seeds, then to the
 * nodes the topology names, at the ports they announce: their TLS ports under
 * {@code tls-cluster yes}) speaks TLS as respite's own do ({@link LettuceTls}).
 *
 * <p>Thread-safety: {@link #refreshSoon} may be called from any thread; at most one refresh runs
 * at a time, and requests made meanwhile are folded into one more.
 */
final class ClusterTopology implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterTopology.class);

    /** Shortest time between two refreshes asked for by MOVED replies: a resharding sends many. */
    private static final long MIN_GAP_MILLIS = 100;

    private final ClientResources resources;
    private final RedisClusterClient client;
    private final ScheduledExecutorService scheduler;
    private final Consumer<SlotMap> listener;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Duration interval;
    /** Whether the cluster is reached over TLS ({@code rediss-cluster://}), for failure messages. */
    private final boolean overTls;

    private volatile boolean closed;

    ClusterTopology(UpstreamUri uri, LettuceTls tls, Duration timeout, Duration interval, Consumer<SlotMap> listener) {
        this.listener = listener;
        this.interval = interval;
        this.overTls = uri.tls();
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .build();
        List<RedisURI> seeds = new ArrayList<>();
        for (Seed seed : uri.seeds()) {
            RedisURI.Builder builder = tls.uri(RedisURI.builder()
                    .withHost(seed.host())
                    .withPort(seed.port())
                    .withTimeout(timeout));
            String password = uri.password();
            if (password != null) {
                String user = uri.username();
                builder = user == null
                        ? builder.withPassword(password.toCharArray())
                        : builder.withAuthentication(user, password.toCharArray());
            }
            seeds.add(builder.build());
        }
        this.client = RedisClusterClient.create(resources, seeds);
        // The nodes learnt from the seeds inherit their URIs' TLS; the options carry the files.
        client.setOptions(tls.client(ClusterClientOptions.builder()).build());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "respite-cluster-topology");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Learns the topology now, in the background, then every interval. */
    void start() {
        scheduler.scheduleWithFixedDelay(this::refreshNow, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks for a refresh soon (within {@value #MIN_GAP_MILLIS} ms), folding requests together. */
    void refreshSoon() {
        if (!closed && scheduled.compareAndSet(false, true)) {
            scheduler.schedule(
                    () -> {
                        scheduled.set(false);
                        refreshNow();
                    },
                    MIN_GAP_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Runs {@code task} after {@code delay} on the refresh thread, which is no event loop: a task
     * there may wait for the loops (a pool's close does).
     */
    void later(Runnable task, Duration delay) {
        if (!closed) {
            scheduler.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void refreshNow() {
        if (closed) {
            return;
        }
        try {
            client.refreshPartitions();
            Partitions partitions = client.getPartitions();
            SlotMap next = SlotMap.of(primaries(partitions), replicas(partitions));
            if (!next.primaries().isEmpty()) {
                listener.accept(next);
            }
        } catch (RuntimeException e) {
            // Lettuce's own exceptions: no node answered; the next round tries again.
            LOG.warn("cluster: topology refresh failed: {}", why(e, overTls));
        }
    }

    /**
     * A failed refresh in words: Lettuce's, then each node's own reason (Lettuce keeps them as the
     * suppressed exceptions of its cause); over plain TCP, a word on TLS when some node failed,
     * since plain connections to a node that speaks TLS only are reset.
     */
    static String why(RuntimeException failure, boolean overTls) {
        Set<String> reasons = new LinkedHashSet<>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            for (Throwable node : t.getSuppressed()) {
                // Lettuce names an address it did not resolve 127.0.0.1/<unresolved>:7000.
                reasons.add(String.valueOf(node.getMessage()).replace("/<unresolved>:", ":"));
            }
        }
        StringBuilder text = new StringBuilder(String.valueOf(failure.getMessage()));
        if (!reasons.isEmpty()) {
            text.append(": ").append(String.join("; ", reasons));
            if (!overTls) {
                text.append(" (nodes that speak TLS only reset plain connections: for them, rediss-cluster://)");
            }
        }
        return text.toString();
    }

    /** The slots of each primary that serves some. */
    private static Map<Seed, BitSet> primaries(Partitions partitions) {
        Map<Seed, BitSet> slots = new HashMap<>();
        for (RedisClusterNode node : partitions) {
            if (!node.is(RedisClusterNode.NodeFlag.UPSTREAM) || node.hasNoSlots()) {
                continue;
            }
            BitSet owned = new BitSet(Slots.COUNT);
            for (int slot : node.getSlots()) {
                owned.set(slot);
            }
            slots.put(seedOf(node), owned);
        }
        return slots;
    }

    /** The replicas of each primary that serves slots, leaving out those failing or not yet joined. */
    private static Map<Seed, List<Seed>> replicas(Partitions partitions) {
        Map<String, Seed> primaryById = new HashMap<>();
        for (RedisClusterNode node : partitions) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.hasNoSlots()) {
                primaryById.put(node.getNodeId(), seedOf(node));
            }
        }
        Map<Seed, List<Seed>> replicas = new HashMap<>();
        for (RedisClusterNode node : partitions) {
            Seed primary = node.getSlaveOf() == null ? null : primaryById.get(node.getSlaveOf());
            if (primary == null
                    || !node.is(RedisClusterNode.NodeFlag.REPLICA)
                    || node.is(RedisClusterNode.NodeFlag.FAIL)
                    || node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)
                    || node.is(RedisClusterNode.NodeFlag.HANDSHAKE)
                    || node.is(RedisClusterNode.NodeFlag.NOADDR)
                    || node.is(RedisClusterNode.NodeFlag.LOADING)) {
                continue;
            }
            replicas.computeIfAbsent(primary, p -> new ArrayList<>()).add(seedOf(node));
        }
        return replicas;
    }

    private static Seed seedOf(RedisClusterNode node) {
        return new Seed(node.getUri().getHost(), node.getUri().getPort());
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        client.shutdown(0, 1, TimeUnit.SECONDS);
        resources.shutdown(0, 1, TimeUnit.SECONDS);
    }
}
