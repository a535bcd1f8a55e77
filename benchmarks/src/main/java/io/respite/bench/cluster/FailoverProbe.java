package io.respite.bench.cluster;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisStringCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * How long after a primary is killed does a client write again? Not a JMH benchmark: one client
 * writes {@code SET key counter}, one write at a time, each with a short timeout, started every
 * interval (or as soon as the one before ends, when that is later), and keeps each one's outcome.
 * The script that kills the primary says when it did on standard input; the probe answers, once a
 * write started after the kill has succeeded, with one line. The client is Lettuce's, set up as
 * an application would:
 * <ul>
 *   <li>{@code single}: a {@link RedisClient} on one address (respite's), auto-reconnect on.
 *   <li>{@code cluster}: a {@link RedisClusterClient} on the seed nodes, with a periodic topology
 *       refresh every {@code REFRESH_SECONDS} (default 60, Lettuce's period once enabled), all
 *       adaptive refresh triggers (MOVED, ASK, persistent reconnects, unknown node, uncovered slot;
 *       at most one such refresh per 5 s, Lettuce's default), and the default auto-reconnect:
 *       commands routed to a node that is down wait in its buffer until they time out.
 * </ul>
 *
 * <p>Run (benchmarks/cluster/failover_bench.sh does, one probe per client):
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.respite.bench.cluster.FailoverProbe \
 *     NAME single|cluster HOST:PORT[,HOST:PORT...] KEY INTERVAL_MS TIMEOUT_MS [REFRESH_SECONDS]
 * </pre>
 *
 * <p>Commands on standard input, one a line, each answered by one line on standard output:
 * <ul>
 *   <li>{@code steady}: answered {@code steady name=NAME} once {@value #STEADY_WRITES} writes in a
 *       row have succeeded.
 *   <li>{@code killed BEFORE_US AFTER_US}: the primary was killed between these two wall-clock
 *       times (microseconds since the epoch, the script's clock, which is this one). Answered,
 *       once a write that started after {@code AFTER_US} has succeeded, by {@code result
 *       name=NAME recovered_ms=R failed=F errors=KIND:COUNT,...}: R is from {@code BEFORE_US} to
 *       that write's reply; F counts the writes that failed and ended after {@code BEFORE_US}.
 *       A write started before the kill that still succeeded counts neither way.
 * </ul>
 * End of input closes the client and ends the probe.
 */
public final class FailoverProbe {

    /** Writes in a row that make the probe steady: a second at a 10 ms interval. */
    private static final int STEADY_WRITES = 100;

    /** How long each write's outcome is kept for a kill announced after it: far beyond a pipe's delay. */
    private static final long HISTORY_MICROS = 10_000_000;

    /** Stands for the end of standard input in the command queue. */
    private static final String END = "end";

    private final String name;
    private final Target target;
    private final long intervalNanos;
    private final BlockingQueue<String> commands;
    private final ArrayDeque<Write> history = new ArrayDeque<>();
    private Kill kill;
    private boolean steadyAsked;
    private int succeededInRow;

    private FailoverProbe(String name, Target target, long intervalNanos, BlockingQueue<String> commands) {
        this.name = name;
        this.target = target;
        this.intervalNanos = intervalNanos;
        this.commands = commands;
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 6 || args.length > 7 || !(args[1].equals("single") || args[1].equals("cluster"))) {
            System.err.println("usage: FailoverProbe NAME single|cluster HOST:PORT[,HOST:PORT...] KEY INTERVAL_MS"
                    + " TIMEOUT_MS [REFRESH_SECONDS]");
            System.exit(2);
        }
        String key = args[3];
        Duration timeout = Duration.ofMillis(Long.parseLong(args[5]));
        List<RedisURI> nodes = new ArrayList<>();
        for (String node : args[2].split(",")) {
            int colon = node.lastIndexOf(':');
            nodes.add(RedisURI.create(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1))));
        }
        BlockingQueue<String> commands = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> readCommands(commands), "probe-stdin");
        reader.setDaemon(true);
        reader.start();
        try (Target target = args[1].equals("single")
                ? single(nodes.get(0), key, timeout)
                : cluster(nodes, key, timeout, Duration.ofSeconds(Long.parseLong(args.length == 7 ? args[6] : "60")))) {
            new FailoverProbe(args[0], target, TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[4])), commands).run();
        }
    }

    /** Writes until standard input ends, answering commands between writes. */
    private void run() throws InterruptedException {
        long next = System.nanoTime();
        for (long counter = 0; ; counter++) {
            for (String command = commands.poll(); command != null; command = commands.poll()) {
                if (command.equals(END)) {
                    return;
                }
                accept(command);
            }
            long start = micros();
            String error = null;
            try {
                target.set(Long.toString(counter));
            } catch (RedisException e) {
                error = kind(e);
            }
            record(new Write(start, micros(), error));
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            } else {
                next = System.nanoTime();
            }
        }
    }

    private void accept(String command) {
        String[] words = command.trim().split("\\s+");
        if (words.length == 1 && words[0].equals("steady")) {
            steadyAsked = true;
        } else if (words.length == 3 && words[0].equals("killed")) {
            kill = new Kill(Long.parseLong(words[1]), Long.parseLong(words[2]));
            // The writes that ended between the kill and this line.
            for (Write write : history) {
                observe(write);
            }
        } else {
            throw new IllegalArgumentException(
                    "command: " + command + " (expected: steady, or killed BEFORE_US AFTER_US)");
        }
    }

    private void record(Write write) {
        history.addLast(write);
        while (history.getFirst().endMicros < write.endMicros - HISTORY_MICROS) {
            history.removeFirst();
        }
        succeededInRow = write.error == null ? succeededInRow + 1 : 0;
        if (steadyAsked && succeededInRow >= STEADY_WRITES) {
            steadyAsked = false;
            answer("steady name=" + name);
        }
        observe(write);
    }

    private void observe(Write write) {
        Kill current = kill;
        if (current == null || write.endMicros < current.beforeMicros) {
            return;
        }
        if (write.error != null) {
            current.errors.merge(write.error, 1, Integer::sum);
        } else if (write.startMicros >= current.afterMicros) {
            kill = null;
            int failed =
                    current.errors.values().stream().mapToInt(Integer::intValue).sum();
            answer(String.format(
                    Locale.ROOT,
                    "result name=%s recovered_ms=%.1f failed=%d errors=%s",
                    name,
                    (write.endMicros - current.beforeMicros) / 1000.0,
                    failed,
                    current.errors.isEmpty()
                            ? "none"
                            : current.errors.entrySet().stream()
                                    .map(e -> e.getKey() + ":" + e.getValue())
                                    .collect(Collectors.joining(","))));
        }
    }

    private static void answer(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** Wall-clock microseconds since the epoch, the clock the script's {@code $EPOCHREALTIME} reads. */
    private static long micros() {
        Instant now = Instant.now();
        return TimeUnit.SECONDS.toMicros(now.getEpochSecond()) + now.getNano() / 1000;
    }

    /**
     * A failure's kind, one word: "timeout"; the first words of an error reply (from Redis or
     * respite); else the class of the exception's root cause ("RedisException" for Lettuce's own).
     */
    private static String kind(RedisException e) {
        if (e instanceof RedisCommandTimeoutException) {
            return "timeout";
        }
        String message = e.getMessage();
        if (e instanceof RedisCommandExecutionException && message != null) {
            String[] words = message.split("\\s+", 4);
            return String.join("_", List.of(words).subList(0, Math.min(3, words.length)))
                    .replaceAll("[^A-Za-z0-9_.-]", "_");
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }

    private static void readCommands(BlockingQueue<String> commands) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                commands.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            commands.add(END);
        }
    }

    private static Target single(RedisURI node, String key, Duration timeout) {
        RedisClient client = RedisClient.create(node);
        StatefulRedisConnection<String, String> connection = client.connect();
        connection.setTimeout(timeout);
        return new Target(connection.sync(), key, () -> {
            connection.close();
            client.shutdown();
        });
    }

    private static Target cluster(List<RedisURI> seeds, String key, Duration timeout, Duration refresh) {
        RedisClusterClient client = RedisClusterClient.create(seeds);
        // Every adaptive trigger is on by Lettuce 7's default (its switches for them are deprecated).
        ClusterClientOptions options = ClusterClientOptions.builder()
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(refresh)
                        .build())
                .build();
        client.setOptions(options);
        ClusterTopologyRefreshOptions topology = options.getTopologyRefreshOptions();
        System.err.printf(
                "lettuce cluster client: periodic refresh %s, adaptive triggers %s (at most one per %s),"
                        + " auto-reconnect %s, disconnected behavior %s%n",
                topology.getRefreshPeriod(),
                topology.getAdaptiveRefreshTriggers(),
                topology.getAdaptiveRefreshTimeout(),
                options.isAutoReconnect(),
                options.getDisconnectedBehavior());
        StatefulRedisClusterConnection<String, String> connection = client.connect();
        connection.setTimeout(timeout);
        return new Target(connection.sync(), key, () -> {
            connection.close();
            client.shutdown();
        });
    }

    /** One client's writes to the key, and how to close it. */
    private static final class Target implements AutoCloseable {
        private final RedisStringCommands<String, String> commands;
        private final String key;
        private final Runnable closer;

        Target(RedisStringCommands<String, String> commands, String key, Runnable closer) {
            this.commands = commands;
            this.key = key;
            this.closer = closer;
        }

        /** Sets the key, or throws what Lettuce threw; a reply other than OK is a failure too. */
        void set(String value) {
            String reply = commands.set(key, value);
            if (!"OK".equals(reply)) {
                throw new RedisException("reply: " + reply + " (expected: OK)");
            }
        }

        @Override
        public void close() {
            closer.run();
        }
    }

    /** One write: when it started and ended (wall-clock µs), and its failure's kind or null. */
    private record Write(long startMicros, long endMicros, String error) {}

    /** A kill announced, and the failures seen since it until a write succeeds again. */
    private static final class Kill {
        final long beforeMicros;
        final long afterMicros;
        final Map<String, Integer> errors = new TreeMap<>();

        Kill(long beforeMicros, long afterMicros) {
            this.beforeMicros = beforeMicros;
            this.afterMicros = afterMicros;
        }
    }
}
