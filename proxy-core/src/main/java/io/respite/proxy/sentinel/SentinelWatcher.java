package io.respite.proxy.sentinel;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.respite.proxy.config.SentinelAuth;
import io.respite.proxy.config.UpstreamUri;
import io.respite.proxy.config.UpstreamUri.Seed;
import io.respite.proxy.tls.LettuceTls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the primary that a group of Redis Sentinels names for one master: learns it at
 * {@link #start}, then, from {@link #follow}, hears of each failover's end on the sentinels'
 * {@code +switch-master} channel and asks again every {@code interval} in case a message was lost
 * (a sentinel restarting, a connection broken at the wrong moment), telling the owner each time
 * the primary moved.
 *
 * <p>Holding writes: Redis replicates asynchronously, and the old primary goes on acknowledging
 * writes after its replica's promotion until a sentinel demotes it (seconds later), writes which
 * the demotion then discards. So when the sentinel leading a failover names the replica it will
 * promote ({@code +selected-slave}, a tick before it does), the owner is told to hold writes,
 * until the move, an abort ({@code -failover-abort-*}) or {@code --timeout}, whichever comes
 * first. A hold missed (that sentinel's messages lost) costs what it costs any Sentinel client.
 *
 * <p>Which answer wins: every sentinel that answers is asked ({@code SENTINEL MASTER}), and the
 * address given with the highest {@code config-epoch} is the primary; a sentinel that has not
 * caught up with a failover yet gives the old address with the old epoch, and is outvoted, so the
 * watcher never moves back to a demoted primary. The sentinels are asked with their own
 * credentials ({@code --sentinel-user}, {@code --sentinel-password-file}), if any: the URI's are
 * the primary's.
 *
 * <p>TLS: a {@code rediss-sentinel://} group speaks TLS on every port, as Redis's own TLS
 * deployments do (sentinels on {@code tls-port}, {@code tls-replication yes}): the sentinels are
 * asked over TLS here ({@link LettuceTls}), and the owner's connections to the primary use TLS too.
 *
 * <p>Threading: the state is confined to the watcher's own thread, where polls run and the owner
 * is told; Lettuce's threads only hand messages over to it.
 */
public final class SentinelWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SentinelWatcher.class);

    /** The channel on which a sentinel announces a failover's end: {@code name oldip oldport newip newport}. */
    private static final String SWITCH_MASTER = "+switch-master";

    /**
     * The channel on which the sentinel leading a failover names the replica it will promote, at
     * its next tick (a tenth of a second on): {@code slave ip:port ip port @ name ip port}.
     */
    private static final String SELECTED = "+selected-slave";

    /** The channels on which a failover that promoted nobody ends: {@code master name ip port}. */
    private static final List<String> ABORTED =
            List.of("-failover-abort-not-elected", "-failover-abort-no-good-slave", "-failover-abort-slave-timeout");

    /** What the watcher tells its owner, on the watcher's thread. */
    public interface Listener {

        /**
         * A failover began: the primary may stop being one at any moment, and a write it
         * acknowledged after its replica's promotion would be lost; the owner holds writes.
         */
        void failoverStarted();

        /** The failover ended with the primary where it was (aborted, or held for too long). */
        void failoverEnded();

        /** The primary moved to {@code to}; this ends a failover too. */
        void moved(Seed to);
    }

    private final String master;
    private final Duration interval;
    private final Duration holdLimit;
    private final Listener listener;
    private final ClientResources resources;
    private final RedisClient client;
    private final ScheduledExecutorService thread;
    private final List<Sentinel> sentinels = new ArrayList<>();

    /** The primary now, and the config epoch it was named with; on the watcher's thread. */
    private @Nullable Seed primary;

    private long epoch = -1;
    /** The failover in progress, counted so that a timer can tell whether its own is still on; 0 for none. */
    private long failover;

    private long failovers;
    /** Whether the owner is told of moves: from {@link #follow}, once it has something to move. */
    private boolean following;

    private volatile boolean closed;

    /**
     * @param uri the sentinels and the master's name ({@link UpstreamUri#sentinel()})
     * @param auth the sentinels' own credentials, if they require any
     * @param tls how to speak to the sentinels: {@link LettuceTls#PLAIN}, or over TLS
     * @param timeout how long a sentinel may take to connect or answer, and how long writes are
     *     held for a failover at most
     * @param interval how often the sentinels are asked when no message prompts it
     * @param listener told, on the watcher's thread, of failovers and moves
     */
    public SentinelWatcher(
            UpstreamUri uri,
            SentinelAuth auth,
            LettuceTls tls,
            Duration timeout,
            Duration interval,
            Listener listener) {
        String name = uri.sentinelMaster();
        if (name == null) {
            throw new IllegalArgumentException("uri: " + uri + " (expected: redis-sentinel://...)");
        }
        this.master = name;
        this.interval = interval;
        this.holdLimit = timeout;
        this.listener = listener;
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .build();
        this.client = RedisClient.create(resources);
        client.setOptions(tls.client(ClientOptions.builder()
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .socketOptions(
                                SocketOptions.builder().connectTimeout(timeout).build()))
                .build());
        for (Seed seed : uri.seeds()) {
            RedisURI.Builder sentinel = RedisURI.builder()
                    .withHost(seed.host())
                    .withPort(seed.port())
                    .withTimeout(timeout);
            String password = auth.password();
            if (password != null) {
                String user = auth.user();
                if (user == null) {
                    sentinel.withPassword(password.toCharArray());
                } else {
                    sentinel.withAuthentication(user, password);
                }
            }
            sentinels.add(new Sentinel(tls.uri(sentinel).build()));
        }
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread named = new Thread(runnable, "respite-sentinel");
            named.setDaemon(true);
            return named;
        });
    }

    /**
     * Asks the sentinels for the primary and returns it; {@link #follow} then follows it.
     *
     * @throws IllegalStateException when no sentinel names the master
     */
    public Seed start() {
        Seed first;
        try {
            first = thread.submit(this::lookUp).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the sentinels", e);
        } catch (ExecutionException e) {
            close();
            Throwable cause = e.getCause();
            throw cause instanceof IllegalStateException failed ? failed : new IllegalStateException(cause);
        }
        return first;
    }

    /**
     * Tells the owner of every move from now on, in the background, starting with one since
     * {@link #start} (asking again at once).
     */
    public void follow() {
        thread.execute(() -> {
            following = true;
            poll();
        });
        thread.scheduleWithFixedDelay(this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The first question, on the watcher's thread: who is the primary, said by some sentinel. */
    private Seed lookUp() {
        poll();
        Seed found = primary;
        if (found == null) {
            List<String> answers = sentinels.stream().map(Sentinel::describe).toList();
            throw new IllegalStateException(
                    "no sentinel names a primary for master " + master + ": " + String.join("; ", answers));
        }
        LOG.info("sentinel: master {} is at {} (config epoch {})", master, found, epoch);
        return found;
    }

    /** Asks every sentinel, and moves to the address of the highest config epoch if it is another. */
    private void poll() {
        if (closed || (primary != null && !following)) {
            return;
        }
        Seed best = null;
        long bestEpoch = -1;
        for (Sentinel sentinel : sentinels) {
            Map<String, String> answer = sentinel.ask();
            Seed named = answer == null ? null : seedOf(answer);
            if (answer == null || named == null) {
                continue;
            }
            long namedEpoch = number(answer.get("config-epoch"));
            if (namedEpoch > bestEpoch || (namedEpoch == bestEpoch && named.equals(primary))) {
                best = named;
                bestEpoch = namedEpoch;
            }
        }
        Seed current = primary;
        if (best == null || bestEpoch < epoch || best.equals(current)) {
            epoch = Math.max(epoch, bestEpoch);
            return;
        }
        primary = best;
        epoch = bestEpoch;
        if (current != null) {
            LOG.warn("sentinel: master {} moved from {} to {} (config epoch {})", master, current, best, bestEpoch);
            failover = 0;
            listener.moved(best);
        }
    }

    /** The primary's address in a {@code SENTINEL MASTER} reply, or null when it has none. */
    private static @Nullable Seed seedOf(Map<String, String> answer) {
        String ip = answer.get("ip");
        long port = number(answer.get("port"));
        return ip == null || port < 1 || port > 65535 ? null : new Seed(ip, (int) port);
    }

    /** A decimal field of a sentinel's reply; -1 when missing or not a number. */
    private static long number(@Nullable String field) {
        if (field == null) {
            return -1;
        }
        try {
            return Long.parseLong(field);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * A sentinel's message, on a Lettuce thread: a failover of our master began (writes are held
     * until it ends, for {@code --timeout} at most), was aborted, or ended (the sentinels are
     * asked at once).
     */
    private void heard(String channel, String message) {
        if (closed) {
            return;
        }
        LOG.debug("sentinel: {} {}", channel, message);
        if (channel.equals(SWITCH_MASTER) && message.startsWith(master + " ")) {
            thread.execute(this::poll);
        } else if (channel.equals(SELECTED) && message.contains(" @ " + master + " ")) {
            thread.execute(this::failoverStarted);
        } else if (ABORTED.contains(channel) && message.startsWith("master " + master + " ")) {
            thread.execute(() -> failoverEnded(failover, channel));
        }
    }

    private void failoverStarted() {
        if (failover != 0 || !following) {
            return;
        }
        long started = ++failovers;
        failover = started;
        LOG.info("sentinel: a failover of master {} began; writes wait for its end", master);
        listener.failoverStarted();
        thread.schedule(
                () -> failoverEnded(started, "no end after " + holdLimit.toMillis() + " ms"),
                holdLimit.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Ends the hold of failover {@code which}, unless another (or none) is in progress by now. */
    private void failoverEnded(long which, String why) {
        if (failover == 0 || failover != which) {
            return;
        }
        failover = 0;
        LOG.warn("sentinel: the failover of master {} ended with it in place ({}); writes resume", master, why);
        listener.failoverEnded();
    }

    /**
     * One sentinel: a connection for questions and one subscribed to {@code +switch-master}, each
     * (re)opened when a question finds it missing; Lettuce reconnects them after a break, and
     * subscribes again.
     */
    private final class Sentinel {
        private final RedisURI uri;
        private @Nullable StatefulRedisSentinelConnection<String, String> questions;
        private @Nullable StatefulRedisPubSubConnection<String, String> messages;
        /** What went wrong last, for the error when no sentinel answers at all. */
        private String problem = "not asked yet";

        Sentinel(RedisURI uri) {
            this.uri = uri;
        }

        /** The sentinel's view of the master, or null when it cannot be had; on the watcher's thread. */
        @Nullable
        Map<String, String> ask() {
            try {
                if (messages == null) {
                    StatefulRedisPubSubConnection<String, String> subscribed = client.connectPubSub(uri);
                    subscribed.addListener(new RedisPubSubAdapter<>() {
                        @Override
                        public void message(String channel, String message) {
                            heard(channel, message);
                        }
                    });
                    List<String> channels = new ArrayList<>(List.of(SWITCH_MASTER, SELECTED));
                    channels.addAll(ABORTED);
                    subscribed.sync().subscribe(channels.toArray(String[]::new));
                    messages = subscribed;
                }
                StatefulRedisSentinelConnection<String, String> open = questions;
                if (open == null) {
                    open = client.connectSentinel(uri);
                    questions = open;
                }
                Map<String, String> answer = open.sync().master(master);
                problem = "answered";
                return answer;
            } catch (RedisException e) {
                // Lettuce's own exceptions: refused, timed out, or no such master there.
                String why = why(e);
                if (!why.equals(problem)) {
                    LOG.warn("sentinel {}:{}: {}", uri.getHost(), uri.getPort(), why);
                }
                problem = why;
                return null;
            }
        }

        /**
         * Lettuce's message and, when it wraps the reason, the reason: "Unable to connect" alone
         * hides a sentinel's {@code NOAUTH} or {@code WRONGPASS}.
         */
        private static String why(RedisException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return root == e || root.getMessage() == null ? e.toString() : e + " (" + root.getMessage() + ")";
        }

        String describe() {
            return uri.getHost() + ":" + uri.getPort() + " " + problem;
        }

        void close() {
            if (questions != null) {
                questions.close();
            }
            if (messages != null) {
                messages.close();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
        try {
            // A poll in progress uses the connections closed below.
            thread.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Sentinel sentinel : sentinels) {
            sentinel.close();
        }
        client.shutdown(0, 1, TimeUnit.SECONDS);
        resources.shutdown(0, 1, TimeUnit.SECONDS);
    }
}
