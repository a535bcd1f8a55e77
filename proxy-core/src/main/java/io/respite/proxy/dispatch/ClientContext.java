package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.respite.proxy.admission.ClientAdmission;
import io.respite.proxy.cache.Namespaces;
import io.respite.proxy.hotkeys.Recorder;
import io.respite.proxy.session.CommandHandler;
import io.respite.proxy.session.ReplySink;
import io.respite.proxy.upstream.DedicatedConnection;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Everything respite keeps for one client, each piece in one place: its database, protocol,
 * name and authentication (as Redis keeps them per connection), where its commands go
 * ({@link Pinning}) and its dedicated upstream connection while it has one. The shared, stateless
 * {@link CommandRouter} gives its commands their meaning.
 *
 * <p>With {@code --auth passthrough} that includes the Redis user it runs as: the user's lane,
 * which its commands take instead of the loop's, and the user's partition of the cache
 * ({@link #namespace}); see {@link Passthrough} and {@link UserAuth}.
 *
 * <p>Owned by the client's session, on its event loop; not thread-safe. Over 400 lines because
 * it is, by design, the one place of a client's state.
 */
final class ClientContext implements CommandHandler {

    private final CommandRouter router;
    private final ReplySink sink;
    /** The loop's lane, as respite's identity: the lane of a client that runs as no user of its own. */
    private final UpstreamLane sharedLane;
    /** Where the client's commands go: the loop's lane, or its user's ({@code --auth passthrough}). */
    private UpstreamLane lane;

    private final ClientAdmission admission;
    private final Pinning pinning = new Pinning();
    private final CommandCounts.Loop counts;
    private final @Nullable Recorder hotKeys;
    /**
     * The next command handed in is one this client held back (it comes back first, see {@link
     * #holdUntilDrained}): it was admitted already, and is not counted again.
     */
    private boolean heldAdmitted;
    /** False while a command held back and handed over again is routed: it was counted already. */
    private boolean counting = true;

    private int database;
    /** The cache namespace of the client's GETs ({@link io.respite.proxy.cache.Namespaces}); -1: not cached. */
    private int namespace;
    /** The same for its MGETs. */
    private int mgetNamespace;
    /** The user lane the client holds ({@code --auth passthrough}), or null. */
    private Passthrough.@Nullable Held user;
    /**
     * Redis's verdict on the command this client holds back while Redis is asked (an AUTH, or
     * whether its user may run a command respite answers): null while none came; an empty string
     * for yes, else the error to answer.
     */
    private @Nullable String verdict;

    private RespVersion version = RespVersion.RESP2;
    /** The name set by CLIENT SETNAME or HELLO SETNAME, or null. */
    private @Nullable String name;

    private boolean authenticated;

    /** The dedicated connection while the client leases one, else null. */
    private @Nullable DedicatedConnection dedicated;
    /**
     * Something sent on the dedicated connection changed its state beyond what EXEC, DISCARD and
     * UNWATCH end: the pool must reset it when it is given back.
     */
    private boolean dedicatedChanged;

    private final long connectedAtNanos = System.nanoTime();
    private long lastCommandNanos = connectedAtNanos;
    /** The last command's name, lower case, for CLIENT LIST. */
    private String lastCommand = "NULL";
    /** The client runs MONITOR: its dedicated connection's frames are Redis's monitor lines. */
    private boolean monitoring;
    /** A wait for a dedicated connection ran out: the command it held is refused, not held again. */
    private boolean dedicatedWaitExpired;
    /** The client's subscriptions, once it first subscribed (or unsubscribed). */
    private @Nullable ClientSubscriptions subscriptions;
    /** The client used CLIENT REPLY: a relayed command may rightly get no frame back, so relaying is untimed. */
    private boolean repliesSwitched;

    /**
     * @param authenticated whether the client starts authenticated (true when no password is required)
     * @param database the database the client uses until it selects another
     */
    ClientContext(
            CommandRouter router,
            ReplySink sink,
            UpstreamLane lane,
            ClientAdmission admission,
            boolean authenticated,
            int database) {
        this.router = router;
        this.sink = sink;
        this.sharedLane = lane;
        this.lane = lane;
        this.admission = admission;
        this.authenticated = authenticated;
        this.database(database);
        this.counts = router.commandCounts().loop(lane);
        this.hotKeys = router.recorder(lane);
    }

    /**
     * Counts a read of the key that ends {@code cacheKey[0, length)}, {@code keyLength} bytes after
     * the database prefix, for the hot-key report when one is taken.
     */
    void recordRead(byte[] cacheKey, int length, int keyLength) {
        if (hotKeys != null) {
            hotKeys.record(cacheKey, length - keyLength, keyLength, lastCommandNanos);
        }
    }

    @Override
    public void handle(RespCommand command) {
        lastCommandNanos = System.nanoTime();
        boolean redelivered = heldAdmitted;
        if (heldAdmitted) {
            heldAdmitted = false;
        } else if ((authenticated ? admission.tryAdmit() : admission.tryAdmitOwn()) != 0) {
            router.rateLimited(this, command);
            return;
        }
        // A command held back and handed over again was counted when it first came.
        counting = !redelivered;
        try {
            router.route(this, command);
        } finally {
            counting = true;
        }
    }

    /** Counts this client's command as {@code id} with {@code outcome}, unless it was counted already. */
    void count(int id, CommandCounts.Outcome outcome) {
        if (counting) {
            counts.count(id, outcome);
        }
    }

    /**
     * Holds {@code command} until the replies due before it have gone out; it then comes back to
     * {@link #handle}, admitted already. Borrows {@code command}.
     */
    void holdUntilDrained(RespCommand command) {
        sink.holdUntilDrained(command);
        heldAdmitted = true;
    }

    long connectedAtNanos() {
        return connectedAtNanos;
    }

    long lastCommandNanos() {
        return lastCommandNanos;
    }

    String lastCommand() {
        return lastCommand;
    }

    /** Records the command's name, lower case, for CLIENT LIST. */
    void lastCommand(String name) {
        lastCommand = name;
    }

    /** CLIENT LIST's flags: O monitor, P subscriber, x in MULTI, b waiting on a blocking command, N none. */
    String flags() {
        StringBuilder flags = new StringBuilder();
        if (monitoring) {
            flags.append('O');
        }
        if (subscribed()) {
            flags.append('P');
        }
        if (pinning.inTransaction()) {
            flags.append('x');
        } else if (pinning.state() == Pinning.State.SETTLING) {
            flags.append('b');
        }
        return flags.length() == 0 ? "N" : flags.toString();
    }

    @Override
    public void writabilityChanged(boolean writable) {
        if (pinning.relaying() && dedicated != null) {
            // A subscriber that does not read holds its messages back in Redis, under Redis's own
            // output limits, not in respite.
            dedicated.pauseReading(!writable);
        }
    }

    @Override
    public void closed() {
        router.clients().forget(this);
        dropDedicated();
        if (subscriptions != null) {
            subscriptions.clear();
        }
        signOut();
    }

    /** The client's subscriptions, held by subscriber connections its loop shares among its clients. */
    ClientSubscriptions subscriptions() {
        if (subscriptions == null) {
            subscriptions = new ClientSubscriptions(this, lane);
        }
        return subscriptions;
    }

    /** Whether the client has a subscription: a RESP2 client is then in subscribed mode. */
    boolean subscribed() {
        return subscriptions != null && subscriptions.active();
    }

    CommandRouter router() {
        return router;
    }

    ReplySink sink() {
        return sink;
    }

    UpstreamLane lane() {
        return lane;
    }

    ClientAdmission admission() {
        return admission;
    }

    Pinning pinning() {
        return pinning;
    }

    int database() {
        return database;
    }

    void database(int database) {
        this.database = database;
        int partition = user == null ? 0 : user.partition();
        this.namespace = Namespaces.of(partition, database, false);
        this.mgetNamespace = Namespaces.of(partition, database, true);
    }

    /** The cache namespace of the client's GETs: its database, or its user's partition of it; -1: not cached. */
    int namespace() {
        return namespace;
    }

    /** The cache namespace of the client's MGETs; -1: not cached. */
    int mgetNamespace() {
        return mgetNamespace;
    }

    /** The loop's lane, as respite's own identity, whatever user the client runs as. */
    UpstreamLane sharedLane() {
        return sharedLane;
    }

    /** The user lane the client holds ({@code --auth passthrough}), or null. */
    Passthrough.@Nullable Held user() {
        return user;
    }

    /** The user the client runs as upstream: its own ({@code --auth passthrough}), else {@code default}. */
    String userName() {
        return user == null ? "default" : user.user();
    }

    /**
     * The client runs as {@code held}'s user from now on, authenticated, its commands on that
     * user's lane and its reads in that user's cache partition; the lane it held before is given
     * back. Another lane only while it leases no dedicated connection and has no subscription.
     */
    void runAs(Passthrough.Held held) {
        Passthrough.Held before = user;
        if (before == held) {
            // The same user and password again: nothing moves (a subscription or lease stays).
            router.passthrough().release(held);
            authenticated(true);
            return;
        }
        user = held;
        lane = held.lane();
        subscriptions = null;
        database(database);
        authenticated(true);
        if (before != null) {
            router.passthrough().release(before);
        }
    }

    /** The client runs as no user any more (RESET, or it left): back on the loop's lane, unauthenticated. */
    void signOut() {
        Passthrough.Held before = user;
        if (before == null) {
            return;
        }
        user = null;
        lane = sharedLane;
        subscriptions = null;
        database(database);
        authenticated(false);
        router.passthrough().release(before);
    }

    /** Redis's verdict on the command held back, taken once: see {@link #verdict}. */
    @Nullable
    String takeVerdict() {
        String taken = verdict;
        verdict = null;
        return taken;
    }

    /**
     * Holds {@code command} until Redis's verdict on it comes back: the returned callback records
     * it and hands the command back, admitted already. Borrows {@code command}.
     */
    Consumer<String> awaitVerdict(RespCommand command) {
        Runnable resume = sink.holdUntilResumed(command);
        heldAdmitted = true;
        return answer -> {
            verdict = answer;
            resume.run();
        };
    }

    RespVersion version() {
        return version;
    }

    void version(RespVersion version) {
        this.version = version;
    }

    /** The client's name, or null. */
    @Nullable
    String name() {
        return name;
    }

    void name(@Nullable String name) {
        this.name = name;
    }

    boolean authenticated() {
        return authenticated;
    }

    /** Records whether the client has authenticated; until it has, Redis's tighter request limits apply. */
    void authenticated(boolean authenticated) {
        this.authenticated = authenticated;
        sink.requireAuthentication(!authenticated);
    }

    /** The client used CLIENT REPLY. */
    void repliesSwitched() {
        repliesSwitched = true;
    }

    /** Whether relayed commands must see a frame within --timeout: not once the client switched its replies. */
    boolean relayTimed() {
        return !repliesSwitched;
    }

    /**
     * The dedicated connection, leased on first use in the client's current protocol, or null
     * when {@code --max-pinned} are busy.
     */
    @Nullable
    DedicatedConnection dedicated() {
        if (dedicated == null) {
            dedicated = lane.dedicated(version, this::relayed, this::dedicatedLost);
            dedicatedChanged = false;
            if (dedicated != null) {
                dedicatedWaitExpired = false;
            }
        }
        return dedicated;
    }

    /** The dedicated connection the client leases now, or null; leases none. */
    @Nullable
    DedicatedConnection leased() {
        return dedicated;
    }

    /**
     * Holds {@code command} until a dedicated connection may be had, up to {@code --timeout}, and
     * returns true; returns false when the wait that held it has just run out (the caller refuses
     * it). Borrows {@code command}.
     */
    boolean awaitDedicated(RespCommand command) {
        if (dedicatedWaitExpired) {
            dedicatedWaitExpired = false;
            return false;
        }
        Runnable resume = sink.holdUntilResumed(command);
        heldAdmitted = true;
        lane.awaitDedicated(available -> {
            dedicatedWaitExpired = !available;
            resume.run();
        });
        return true;
    }

    /** The client sent MONITOR on its dedicated connection. */
    void monitoring() {
        monitoring = true;
    }

    /**
     * A frame of the dedicated connection that no command waits for, to the client; takes
     * ownership. A monitor does not see the SELECTs respite sends for its own bookkeeping (a
     * client's SELECT is answered by respite and never reaches Redis, but for one inside MULTI).
     */
    private void relayed(ByteBuf frame) {
        if (monitoring && MonitorLines.isSelect(frame)) {
            frame.release();
            return;
        }
        sink.relay(frame);
    }

    /** A command sent on the dedicated connection changed its state: it is reset when given back. */
    void dedicatedChanged() {
        dedicatedChanged = true;
    }

    /**
     * A reply awaited on the dedicated connection arrived (or the command failed); {@code sentIn}
     * is what {@link Pinning#sent} returned for it. When that ends the connection state, the
     * connection goes back to the pool.
     */
    void replied(int sentIn) {
        pinning.replied(sentIn);
        releaseIfUnpinned();
    }

    /** Gives the dedicated connection back once no state is left on it (the client is back on the shared lane). */
    void releaseIfUnpinned() {
        if (dedicated != null && pinning.state() == Pinning.State.SHARED) {
            DedicatedConnection connection = dedicated;
            dedicated = null;
            connection.release(!dedicatedChanged);
        }
    }

    /**
     * Ends the client's connection state (RESET, the client gone): the dedicated connection goes
     * back to the pool to be reset when no reply is due on it and it relays nothing, and is closed
     * otherwise, its state unknown.
     */
    void dropDedicated() {
        boolean quiet = pinning.inFlight() == 0 && !pinning.relaying();
        pinning.reset();
        if (dedicated != null) {
            DedicatedConnection connection = dedicated;
            dedicated = null;
            if (quiet) {
                connection.release(false);
            } else {
                connection.close();
            }
        }
    }

    /**
     * The dedicated connection broke: its state is gone, so the client's connection goes too,
     * after the replies owed to it (its pending commands have just failed with the reason). A
     * relaying client (pub/sub, MONITOR) is owed no reply: it gets the reason as an error.
     */
    private void dedicatedLost(String error) {
        dedicated = null;
        if (pinning.relaying()) {
            sink.replyError(error);
        }
        pinning.reset();
        sink.closeAfterReplies();
    }
}
