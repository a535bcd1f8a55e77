package io.respite.proxy.dispatch;

import io.respite.proxy.session.CommandHandler;
import io.respite.proxy.session.ReplySink;
import io.respite.proxy.upstream.DedicatedConnection;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import org.jspecify.annotations.Nullable;

/**
 * Everything respite keeps for one client, each piece in one place: its database, protocol,
 * name and authentication (as Redis keeps them per connection), where its commands go
 * ({@link Pinning}) and its dedicated upstream connection while it has one. The shared, stateless
 * {@link CommandRouter} gives its commands their meaning.
 *
 * <p>Owned by the client's session, on its event loop; not thread-safe.
 */
final class ClientContext implements CommandHandler {

    private final CommandRouter router;
    private final ReplySink sink;
    private final UpstreamLane lane;
    private final Pinning pinning = new Pinning();

    private int database;
    private RespVersion version = RespVersion.RESP2;
    /** The name set by CLIENT SETNAME or HELLO SETNAME, or null. */
    private @Nullable String name;

    private boolean authenticated;

    /** The dedicated connection while the client has one, else null. */
    private @Nullable DedicatedConnection dedicated;
    /** The protocol the dedicated connection speaks. */
    private @Nullable RespVersion dedicatedVersion;
    /** The client used CLIENT REPLY: a relayed command may rightly get no frame back, so relaying is untimed. */
    private boolean repliesSwitched;

    /**
     * @param authenticated whether the client starts authenticated (true when no password is required)
     * @param database the database the client uses until it selects another
     */
    ClientContext(CommandRouter router, ReplySink sink, UpstreamLane lane, boolean authenticated, int database) {
        this.router = router;
        this.sink = sink;
        this.lane = lane;
        this.authenticated = authenticated;
        this.database = database;
    }

    @Override
    public void handle(RespCommand command) {
        router.route(this, command);
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
        dropDedicated();
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

    Pinning pinning() {
        return pinning;
    }

    int database() {
        return database;
    }

    void database(int database) {
        this.database = database;
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
     * The dedicated connection, opened on first use in the client's current protocol (and opened
     * again when the protocol changed while it was not in use), or null when the limit on
     * dedicated connections is reached.
     */
    @Nullable
    DedicatedConnection dedicated() {
        if (dedicated != null && dedicatedVersion != version && !pinning.pinned()) {
            dropDedicated();
        }
        if (dedicated == null) {
            dedicated = lane.dedicated(version, sink::relay, this::dedicatedLost);
            dedicatedVersion = version;
        }
        return dedicated;
    }

    /** Closes the dedicated connection, and with it every piece of connection state (RESET, the client gone). */
    void dropDedicated() {
        pinning.reset();
        if (dedicated != null) {
            DedicatedConnection connection = dedicated;
            dedicated = null;
            connection.close();
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
