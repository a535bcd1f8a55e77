package io.respite.proxy.dispatch;

import io.netty.channel.EventLoop;
import io.respite.proxy.cache.Namespaces;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.proxy.upstream.UserLane;
import io.respite.proxy.upstream.UserLanes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/*
 * Design
 * ------
 * --auth passthrough: each client is a Redis user, and Redis, not respite, says who may do what.
 *
 * Verifying: a client's AUTH (or HELLO's AUTH) goes to Redis on a connection opened for it and
 * closed after its reply (the loop lane's out-of-band connection: HELLO/AUTH as respite, then the
 * client's AUTH, whose reply is Redis's verdict, word for word). Every AUTH is verified so, none
 * is remembered: an ACL SETUSER ... off, a removed password or a deleted user refuses the next
 * AUTH at once, as Redis itself would; connections already authenticated go on, as on Redis.
 * It costs one connect per AUTH, which a client makes once per connection.
 *
 * Running as the user: once verified, the client's commands go on a lane of that user (user and
 * password) on the client's loop, whose connections (shared, dedicated for MULTI, WATCH, blocking
 * commands and MONITOR, the subscriber connection, out-of-band ones) all authenticate with those
 * credentials, so Redis applies the user's ACL to every command, key and channel, with its own
 * errors. Lanes are opened on demand and shared by the loop's clients of the same credentials,
 * counted by reference; at most --max-users per loop: a new one closes the least recently used
 * lane no client holds, and when every one is held the AUTH is refused (the client may retry).
 * A lane keyed by password as well as user: after a password rotation the new password's clients
 * get a lane that reconnects with it, the old lane leaves with its clients.
 *
 * The cache: partitioned by user name (Namespaces): a GET hit for a user comes only from that
 * user's own earlier GET of the key, which Redis allowed (and an MGET hit from the user's MGET),
 * so a user is never served what Redis would refuse them when it was read. Users' lanes track
 * their reads with the same REDIRECT as respite's own, so a write anywhere drops the key from
 * every partition; a write through respite drops it from every partition of its database at once.
 * ACL changes are not invalidations: a right revoked upstream takes effect for cached keys when
 * they leave the cache (--ttl at most), as it does for connections already authenticated.
 *
 * Concurrency
 * -----------
 * Partition numbers are global (a concurrent map, numbered once per user name). Each loop's lanes
 * belong to that loop and are only touched there.
 */

/**
 * Users' lanes and cache partitions for {@code --auth passthrough}: see the design comment at the
 * top of the source file. Thread-safe; each loop's lanes are confined to that loop.
 */
public final class Passthrough {

    private final UserLanes opener;
    private final UnaryOperator<UpstreamLane> limit;
    private final Consumer<UpstreamLane> unlimit;
    private final int maxUsers;
    private final Map<String, Integer> partitions = new ConcurrentHashMap<>();
    private final AtomicInteger lastPartition = new AtomicInteger();
    private final Map<EventLoop, LinkedHashMap<Credentials, Held>> loops = new ConcurrentHashMap<>();
    /** Told of each lane closed, as the lane clients held: their loop's per-lane state goes with it. */
    private Consumer<UpstreamLane> closed = lane -> {};

    /**
     * @param opener opens a user's lane upstream
     * @param limit wraps a lane for {@code --upstream-ops-limit} (the identity when there is none)
     * @param unlimit forgets what {@code limit} made for a lane that closed
     * @param maxUsers most lanes open per loop
     */
    public Passthrough(
            UserLanes opener, UnaryOperator<UpstreamLane> limit, Consumer<UpstreamLane> unlimit, int maxUsers) {
        this.opener = opener;
        this.limit = limit;
        this.unlimit = unlimit;
        this.maxUsers = maxUsers;
    }

    /** Sets what is told of each lane closed (the router forgets the lane's subscription hub). */
    void onClosed(Consumer<UpstreamLane> closed) {
        this.closed = closed;
    }

    /**
     * The lane of {@code user} with {@code secret}, which Redis has just accepted, on {@code loop}
     * (and called there): held, with one more reference, until {@link #release}; null when
     * {@code --max-users} lanes of the loop are all held.
     */
    @Nullable
    Held acquire(EventLoop loop, String user, String secret) {
        LinkedHashMap<Credentials, Held> lanes = loops.computeIfAbsent(loop, l -> new LinkedHashMap<>(16, 0.75f, true));
        Credentials key = new Credentials(user, secret);
        Held held = lanes.get(key);
        if (held == null) {
            if (lanes.size() >= maxUsers && !closeIdle(lanes)) {
                return null;
            }
            UserLane lane = opener.open(loop, user, secret);
            held = new Held(key, lane, limit.apply(lane), partition(user));
            lanes.put(key, held);
        }
        held.refs++;
        return held;
    }

    /** Closes the least recently used lane no client holds (the map is in access order); false if all are held. */
    private boolean closeIdle(Map<Credentials, Held> lanes) {
        for (Iterator<Held> it = lanes.values().iterator(); it.hasNext(); ) {
            Held held = it.next();
            if (held.refs == 0) {
                it.remove();
                closed.accept(held.lane);
                unlimit.accept(held.upstream);
                held.upstream.close();
                return true;
            }
        }
        return false;
    }

    /** A client no longer holds {@code held} (it left, RESET, or authenticated anew); on its loop. */
    void release(Held held) {
        if (held.refs <= 0) {
            throw new IllegalStateException("refs: " + held.refs + " (expected: > 0)");
        }
        held.refs--;
    }

    /** Lanes open on {@code loop}, held or idle; on that loop. */
    int open(EventLoop loop) {
        LinkedHashMap<Credentials, Held> lanes = loops.get(loop);
        return lanes == null ? 0 : lanes.size();
    }

    /** The cache partition of {@code user}, numbered on first use; -1 once numbers ran out (not cached). */
    private int partition(String user) {
        return partitions.computeIfAbsent(user, u -> {
            int next = lastPartition.incrementAndGet();
            return next <= Namespaces.MAX_PARTITION ? next : -1;
        });
    }

    /** A user and a password; never printed with the password. */
    private record Credentials(String user, String secret) {
        @Override
        public String toString() {
            return "Credentials[user=" + user + "]";
        }
    }

    /** One lane of one loop, with the clients that hold it. */
    static final class Held {
        private final Credentials credentials;
        private final UserLane upstream;
        /** The lane clients send on: {@code upstream}, limited by {@code --upstream-ops-limit}. */
        private final UpstreamLane lane;

        private final int partition;
        private int refs;

        Held(Credentials credentials, UserLane upstream, UpstreamLane lane, int partition) {
            this.credentials = credentials;
            this.upstream = upstream;
            this.lane = lane;
            this.partition = partition;
        }

        String user() {
            return credentials.user();
        }

        UpstreamLane lane() {
            return lane;
        }

        /** The user's cache partition; -1 when the user's reads are not cached. */
        int partition() {
            return partition;
        }

        /** Whether this lane is the one of {@code user} with {@code secret}. */
        boolean holds(String user, String secret) {
            return credentials.equals(new Credentials(user, secret));
        }
    }
}
