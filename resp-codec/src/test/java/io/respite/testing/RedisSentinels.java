package io.respite.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * A Redis Sentinel group on loopback: a primary, one replica, and three sentinels monitoring the
 * primary as {@value #MASTER} with quorum 2, which call it down after
 * {@value #DOWN_AFTER_MILLIS} ms without an answer. Every process is stopped by the fleet that
 * started it, by PID.
 */
public final class RedisSentinels {

    /** The name the sentinels know the primary by. */
    public static final String MASTER = "mymaster";

    /** How long a primary may not answer before a sentinel calls it down, in milliseconds. */
    static final int DOWN_AFTER_MILLIS = 1000;

    /** A failover's time limit, in milliseconds (and twice it, the wait before another). */
    static final int FAILOVER_TIMEOUT_MILLIS = 5000;

    /** How long the group may take to form: hello messages go every two seconds. */
    private static final Duration FORM_TIMEOUT = Duration.ofSeconds(30);

    /** The pause between two looks at the forming group, in nanoseconds. */
    private static final long POLL_NANOS = Duration.ofMillis(50).toNanos();

    private final List<RedisServer> servers;
    private final List<RedisServer> sentinels;

    RedisSentinels(RedisServer primary, RedisServer replica, List<RedisServer> sentinels) {
        this.servers = List.of(primary, replica);
        this.sentinels = List.copyOf(sentinels);
        try {
            awaitFormed(replica);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A sentinel's configuration file, monitoring {@code primary}. */
    static String config(RedisServer primary) {
        return String.join(
                "\n",
                "sentinel monitor " + MASTER + " " + primary.host() + " " + primary.port() + " 2",
                "sentinel down-after-milliseconds " + MASTER + " " + DOWN_AFTER_MILLIS,
                "sentinel failover-timeout " + MASTER + " " + FAILOVER_TIMEOUT_MILLIS,
                "");
    }

    /** The two data servers: the first primary, then its replica. */
    public List<RedisServer> servers() {
        return servers;
    }

    public List<RedisServer> sentinels() {
        return sentinels;
    }

    /**
     * {@code redis-sentinel://host:port,.../mymaster} ({@code rediss-sentinel://} for a TLS group), as
     * respite's {@code --upstream} takes it.
     */
    public String uri() {
        return (sentinels.get(0).tls().isPresent() ? "rediss-sentinel://" : "redis-sentinel://")
                + sentinels.stream().map(s -> s.host() + ":" + s.port()).collect(Collectors.joining(","))
                + "/" + MASTER;
    }

    /** The data server the first sentinel names as the primary now. */
    public RedisServer primary() throws IOException {
        String[] lines = sentinels
                .get(0)
                .callString("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER)
                .split("\r\n");
        int port = Integer.parseInt(lines[lines.length - 1]);
        return servers.stream()
                .filter(s -> s.port() == port)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the sentinels name an unknown primary, port " + port));
    }

    /** Asks a sentinel to fail over now, as {@code SENTINEL FAILOVER} does: the replica is promoted. */
    public void failover() throws IOException {
        String reply = sentinels.get(0).callString("SENTINEL", "FAILOVER", MASTER);
        if (!reply.equals("+OK\r\n")) {
            throw new IllegalStateException("SENTINEL FAILOVER refused: " + reply.strip());
        }
    }

    /** Waits until every sentinel knows the replica and the two other sentinels, and the replica is in sync. */
    private void awaitFormed(RedisServer replica) throws IOException {
        long deadline = System.nanoTime() + FORM_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            boolean formed = replica.callString("INFO", "replication").contains("master_link_status:up");
            for (RedisServer sentinel : sentinels) {
                String master = sentinel.callString("SENTINEL", "MASTER", MASTER);
                formed &= "1".equals(field(master, "num-slaves")) && "2".equals(field(master, "num-other-sentinels"));
            }
            if (formed) {
                return;
            }
            // Sentinels discover each other through hello messages every two seconds: nothing to
            // wait on but time; a pause between rounds spares them a connection storm.
            LockSupport.parkNanos(POLL_NANOS);
        }
        throw new IllegalStateException("the sentinel group did not form within " + FORM_TIMEOUT);
    }

    /** A field of a flat RESP2 map of bulk strings ({@code SENTINEL MASTER}); null when missing. */
    static String field(String reply, String name) {
        String[] lines = reply.split("\r\n");
        for (int i = 0; i + 2 < lines.length; i++) {
            if (lines[i].equals(name)) {
                return lines[i + 2];
            }
        }
        return null;
    }
}
