package io.respite.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

/**
 * A Redis Cluster of N masters (no replicas) on loopback, slots split evenly, formed with
 * {@code CLUSTER ADDSLOTSRANGE} and {@code CLUSTER MEET} and awaited until every node reports
 * {@code cluster_state:ok}.
 */
public final class RedisCluster implements AutoCloseable {

    /** How long the nodes may take to agree on the slot map. */
    private static final Duration FORM_TIMEOUT = Duration.ofSeconds(30);

    private static final int SLOTS = 16384;

    private final List<RedisServer> nodes;

    RedisCluster(List<RedisServer> nodes) {
        this.nodes = List.copyOf(nodes);
        form();
    }

    /** The masters, in slot order: node i owns the i-th equal share of the 16384 slots. */
    public List<RedisServer> nodes() {
        return nodes;
    }

    /** {@code redis://host:port} of every node, comma-separated, as seeds. */
    public String seedUris() {
        return String.join(",", nodes.stream().map(RedisServer::uri).toList());
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
            awaitFormed();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitFormed() throws IOException {
        long deadline = System.nanoTime() + FORM_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            for (RedisServer node : nodes) {
                String info = node.callString("CLUSTER", "INFO");
                ok &= info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + nodes.size());
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
        nodes.forEach(RedisServer::close);
    }
}
