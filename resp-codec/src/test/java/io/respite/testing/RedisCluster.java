package io.respite.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Redis Cluster of N masters on loopback, slots split evenly, formed with
 * {@code CLUSTER ADDSLOTSRANGE} and {@code CLUSTER MEET} and awaited until every node reports
 * {@code cluster_state:ok}; replicas, if any, spread over the masters in turn
 * ({@code CLUSTER REPLICATE}) and awaited until in sync.
 */
public final class RedisCluster implements AutoCloseable {

    /** How long the nodes may take to agree on the slot map. */
    private static final Duration FORM_TIMEOUT = Duration.ofSeconds(30);

    private static final int SLOTS = 16384;

    private final List<RedisServer> nodes;
    private final List<RedisServer> replicas;

    RedisCluster(List<RedisServer> nodes) {
        this(nodes, List.of());
    }

    RedisCluster(List<RedisServer> nodes, List<RedisServer> replicas) {
        this.nodes = List.copyOf(nodes);
        this.replicas = List.copyOf(replicas);
        form();
        try {
            for (int i = 0; i < replicas.size(); i++) {
                attach(replicas.get(i), nodes.get(i % nodes.size()));
            }
            if (!replicas.isEmpty()) {
                awaitFormed(nodes.size() + replicas.size());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The masters as formed, in slot order: node i owns the i-th equal share of the 16384 slots. */
    public List<RedisServer> nodes() {
        return nodes;
    }

    /** The replicas as formed: replica i follows master {@code i % masters}. */
    public List<RedisServer> replicas() {
        return replicas;
    }

    /** Every node, masters first. */
    public List<RedisServer> all() {
        List<RedisServer> all = new ArrayList<>(nodes);
        all.addAll(replicas);
        return all;
    }

    /** The node id of {@code node} ({@code CLUSTER MYID}). */
    public static String id(RedisServer node) throws IOException {
        String reply = node.callString("CLUSTER", "MYID");
        return reply.substring(reply.indexOf('\n') + 1).strip();
    }

    /** Makes {@code replica} a replica of {@code master} and waits until it is in sync. */
    private void attach(RedisServer replica, RedisServer master) throws IOException {
        expectOk(replica.callString("CLUSTER", "MEET", master.host(), Integer.toString(master.port())));
        String masterId = id(master);
        long deadline = System.nanoTime() + FORM_TIMEOUT.toNanos();
        String reply = "";
        while (System.nanoTime() < deadline) {
            // The replica must have heard of the master by gossip before it can follow it.
            reply = replica.callString("CLUSTER", "REPLICATE", masterId);
            if (reply.equals("+OK\r\n")) {
                break;
            }
            Thread.onSpinWait();
        }
        expectOk(reply);
        while (System.nanoTime() < deadline) {
            if (replica.callString("INFO", "replication").contains("master_link_status:up")) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new IllegalStateException(replica + " did not sync with " + master + " within " + FORM_TIMEOUT);
    }

    /**
     * {@code redis-cluster://host:port,...} with every master as a seed ({@code rediss-cluster://}
     * for a TLS cluster), as respite's {@code --upstream} takes it.
     */
    public String uri() {
        return (nodes.get(0).tls().isPresent() ? "rediss-cluster://" : "redis-cluster://")
                + String.join(
                        ",", nodes.stream().map(n -> n.host() + ":" + n.port()).toList());
    }

    private void form() {
        try {
            int n = nodes.size();
            for (int i = 0; i < n; i++) {
                int first = i * SLOTS / n;
                int last = (i + 1) * SLOTS / n - 1;
                expectOk(nodes.get(i)
                        .callString("CLUSTER", "ADDSLOTSRANGE", Integer.toString(first), Integer.toString(last)));
            }
            RedisServer first = nodes.get(0);
            for (RedisServer other : nodes.subList(1, n)) {
                expectOk(first.callString("CLUSTER", "MEET", other.host(), Integer.toString(other.port())));
            }
            awaitFormed(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitFormed(int known) throws IOException {
        long deadline = System.nanoTime() + FORM_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            for (RedisServer node : nodes) {
                String info = node.callString("CLUSTER", "INFO");
                ok &= info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + known);
            }
            if (ok) {
                return;
            }
            // Gossip converges in ~1 s; there is no event to wait on.
            Thread.onSpinWait();
        }
        throw new IllegalStateException(
                "cluster of " + nodes.size() + " did not reach cluster_state:ok within " + FORM_TIMEOUT);
    }

    private static void expectOk(String reply) {
        if (!reply.equals("+OK\r\n")) {
            throw new IllegalStateException("cluster setup failed: " + reply.strip());
        }
    }

    @Override
    public void close() {
        replicas.forEach(RedisServer::close);
        nodes.forEach(RedisServer::close);
    }
}
