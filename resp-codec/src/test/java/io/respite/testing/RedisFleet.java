package io.respite.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Starts the Redis servers one test needs and stops all of them when the test ends, passed or
 * failed. Obtain it as a test method parameter under {@link RedisExtension}.
 */
public final class RedisFleet implements AutoCloseable {

    private final List<RedisServer> owned = new ArrayList<>();

    /** Starts a standalone server; {@code extraArgs} go on its command line ({@code --maxmemory 1mb}). */
    public synchronized RedisServer start(String... extraArgs) {
        RedisServer server = launch(Arrays.asList(extraArgs));
        owned.add(server);
        return server;
    }

    /**
     * Starts a standalone server that speaks TLS only, as {@code tls} says; a local
     * {@code redis-server} built with TLS (Debian's is) is required.
     */
    public synchronized RedisServer startTls(RedisTls tls, String... extraArgs) {
        Path binary = RedisBinary.locate(System.getenv())
                .orElseThrow(() -> new IllegalStateException(
                        "a TLS Redis needs the redis-server binary: install redis-server (Debian: apt-get install "
                                + "redis-server) or set REDIS_SERVER"));
        RedisServer server = new LocalRedisServer(binary, Arrays.asList(extraArgs), tls);
        owned.add(server);
        return server;
    }

    /** Starts a cluster of {@code masters} nodes and waits until it serves every slot. */
    public synchronized RedisCluster cluster(int masters) {
        return cluster(masters, 0);
    }

    /**
     * Starts a cluster of {@code masters} primaries, each with {@code replicasEach} replicas, and
     * waits until it serves every slot and every replica is in sync. With replicas, a node is
     * deemed failed after 2 s, so that failover tests do not wait long.
     */
    public synchronized RedisCluster cluster(int masters, int replicasEach) {
        return startCluster(null, masters, replicasEach);
    }

    /**
     * As {@link #cluster(int, int)}, every node speaking TLS only, as {@code tls} says: to clients,
     * on the cluster bus ({@code tls-cluster yes}, so that nodes announce their TLS ports) and to
     * its primary ({@code tls-replication yes}).
     */
    public synchronized RedisCluster cluster(RedisTls tls, int masters, int replicasEach) {
        return startCluster(Objects.requireNonNull(tls, "tls"), masters, replicasEach);
    }

    private RedisCluster startCluster(@Nullable RedisTls tls, int masters, int replicasEach) {
        if (masters < 1 || replicasEach < 0) {
            throw new IllegalArgumentException("masters: " + masters + " (expected: >= 1)");
        }
        Path binary = RedisBinary.locate(System.getenv())
                .orElseThrow(() -> new IllegalStateException(
                        "a Redis Cluster needs the redis-server binary (containers are supported for single "
                                + "servers only): install redis-server (Debian: apt-get install "
                                + "redis-server) or set REDIS_SERVER"));
        List<RedisServer> nodes = new ArrayList<>();
        String nodeTimeout = replicasEach == 0 ? "5000" : "2000";
        List<String> args = new ArrayList<>(List.of(
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                nodeTimeout));
        if (tls != null) {
            args.addAll(List.of("--tls-cluster", "yes"));
            args.addAll(tlsReplication(tls));
        }
        for (int i = 0; i < masters * (1 + replicasEach); i++) {
            RedisServer node = new LocalRedisServer(binary, args, tls);
            nodes.add(node);
            owned.add(node);
        }
        return new RedisCluster(nodes.subList(0, masters), nodes.subList(masters, nodes.size()));
    }

    /**
     * Starts a primary, a replica of it and three sentinels monitoring it as
     * {@value RedisSentinels#MASTER} (quorum 2, down after a second), and waits until the sentinels
     * know the replica and each other, and the replica is in sync.
     */
    public synchronized RedisSentinels sentinels() {
        return startSentinels(null);
    }

    /**
     * As {@link #sentinels()}, every server and sentinel speaking TLS only, as {@code tls} says: to
     * clients, and to one another ({@code tls-replication yes}: a replica to its primary, a sentinel
     * to the servers and to the other sentinels).
     */
    public synchronized RedisSentinels sentinels(RedisTls tls) {
        return startSentinels(Objects.requireNonNull(tls, "tls"));
    }

    private RedisSentinels startSentinels(@Nullable RedisTls tls) {
        Path binary = RedisBinary.locate(System.getenv())
                .orElseThrow(() -> new IllegalStateException(
                        "Redis Sentinel needs the redis-server binary (containers are supported for single "
                                + "servers only): install redis-server (Debian: apt-get install "
                                + "redis-server) or set REDIS_SERVER"));
        List<String> tlsArgs = tlsReplication(tls);
        RedisServer primary = new LocalRedisServer(binary, tlsArgs, tls);
        owned.add(primary);
        List<String> replicaArgs =
                new ArrayList<>(List.of("--replicaof", primary.host(), Integer.toString(primary.port())));
        replicaArgs.addAll(tlsArgs);
        RedisServer replica = new LocalRedisServer(binary, replicaArgs, tls);
        owned.add(replica);
        List<String> sentinelArgs = new ArrayList<>(List.of("--sentinel"));
        sentinelArgs.addAll(tlsArgs);
        List<RedisServer> sentinels = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RedisServer sentinel = new LocalRedisServer(binary, RedisSentinels.config(primary), sentinelArgs, tls);
            owned.add(sentinel);
            sentinels.add(sentinel);
        }
        return new RedisSentinels(primary, replica, sentinels);
    }

    /**
     * The arguments that make a server of a TLS deployment speak TLS to its primary, and a sentinel
     * to the servers and other sentinels; none for plain TCP.
     */
    private static List<String> tlsReplication(@Nullable RedisTls tls) {
        return tls == null ? List.of() : List.of("--tls-replication", "yes");
    }

    static RedisServer launch(List<String> extraArgs) {
        Optional<Path> binary = RedisBinary.locate(System.getenv());
        if (binary.isPresent()) {
            return new LocalRedisServer(binary.get(), extraArgs);
        }
        if (ContainerRedisServer.dockerAvailable()) {
            return new ContainerRedisServer(extraArgs);
        }
        throw new IllegalStateException("this test needs Redis: no redis-server on PATH, REDIS_SERVER is unset, "
                + "and no Docker engine is reachable (Debian: apt-get install redis-server, or run `make test`, "
                + "which installs it)");
    }

    /** Stops every server this fleet started, newest first; the first failure is rethrown. */
    @Override
    public synchronized void close() {
        RuntimeException first = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        owned.clear();
        if (first != null) {
            throw first;
        }
    }
}
