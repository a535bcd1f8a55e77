package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.respite.proxy.admission.Admission;
import io.respite.proxy.admission.ClientAdmission;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.coherence.Coherence;
import io.respite.proxy.command.Catalog;
import io.respite.proxy.command.CommandInfo;
import io.respite.proxy.hotkeys.HotKey;
import io.respite.proxy.hotkeys.HotKeys;
import io.respite.proxy.hotkeys.Recorder;
import io.respite.proxy.logging.RateLimitedLog;
import io.respite.proxy.pubsub.Kind;
import io.respite.proxy.pubsub.SubscriberHub;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.session.CommandHandler;
import io.respite.proxy.session.ReplySink;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Gives each command its meaning, in the order Redis checks a command: the cross-protocol guard,
 * commands the operator denied, authentication, then where it goes. Connection commands are
 * answered locally ({@link ConnectionCommands}); GET and MGET go through the cache
 * ({@link CachedReads}, {@link CachedMultiGets}); commands that open connection state move the
 * client onto its dedicated connection ({@link PinnedCommands}), and every command of a pinned
 * client follows them there;
 * everything else is forwarded unchanged on the shared lane, its written keys leaving the cache
 * ({@link WriteInvalidation}). Until the upstream's command table is loaded nothing is cached,
 * because writes could not be recognised.
 *
 * <p>Shared by every client; the per-client state lives in each {@link ClientContext}.
 */
public final class CommandRouter {

    private static final Logger LOG = LoggerFactory.getLogger(CommandRouter.class);
    /** Cross-protocol attempts, at most one line a minute, as Redis logs its own. */
    private static final RateLimitedLog CROSS_PROTOCOL_LOG = new RateLimitedLog(LOG, Level.WARN, 60, TimeUnit.SECONDS);

    private static final byte[] SHUTDOWN = Replies.ascii("SHUTDOWN");
    private static final byte[] SCRIPT = Replies.ascii("SCRIPT");
    private static final byte[] FUNCTION = Replies.ascii("FUNCTION");
    private static final byte[] CLIENT = Replies.ascii("CLIENT");
    private static final byte[] KILL = Replies.ascii("KILL");
    private static final byte[] LIST = Replies.ascii("LIST");
    private static final byte[] INFO = Replies.ascii("INFO");
    private static final byte[] UNBLOCK = Replies.ascii("UNBLOCK");
    private static final byte[] PAUSE = Replies.ascii("PAUSE");
    private static final byte[] UNPAUSE = Replies.ascii("UNPAUSE");
    private static final byte[] ID = Replies.ascii("ID");
    private static final byte[] ZERO = Replies.ascii("0");

    private final AtomicReference<Catalog> catalog;
    private final DispatchPolicy policy;
    private final DeniedCommands denied;
    private final ConnectionCommands connection;
    private final CachedReads reads;
    private final CachedMultiGets multiGets;
    private final WriteInvalidation invalidation;
    private final PinnedCommands pinned;
    private final ClientRegistry clients = new ClientRegistry();
    private final CommandCounts counts = new CommandCounts();
    /** The keys read most, over the last minute, counted by each loop's recorder. */
    private final HotKeys hotKeys = HotKeys.builder().build();
    /** Each loop's hot-key recorder, by the loop's lane. */
    private final Map<UpstreamLane, Recorder> recorders = new ConcurrentHashMap<>();

    private final StripedLruCache cache;
    /** The last {@link #refreshReports} found: the hot keys, and the largest cached values. */
    private volatile List<HotKey> hotKeysReport = List.of();

    private volatile List<StripedLruCache.ValueSize> largestReport = List.of();
    private final InfoSection info;
    /** The subscription hubs, by lane: each loop's, and in a cluster each primary's lane on each loop. */
    private final Map<UpstreamLane, SubscriberHub> hubs = new ConcurrentHashMap<>();

    /** Users' lanes and partitions with {@code --auth passthrough}; null when clients share respite's identity. */
    private final @Nullable Passthrough passthrough;

    /**
     * @param catalog holds the upstream's catalog once loaded; null inside until then
     * @param policy the options that decide what clients may do and see
     */
    public CommandRouter(
            StripedLruCache cache, AtomicReference<Catalog> catalog, DispatchPolicy policy, Coherence coherence) {
        this(cache, catalog, policy, coherence, null);
    }

    /**
     * As {@link #CommandRouter(StripedLruCache, AtomicReference, DispatchPolicy, Coherence)}, with
     * {@code passthrough} for {@code --auth passthrough} (null: every client is respite's identity).
     */
    public CommandRouter(
            StripedLruCache cache,
            AtomicReference<Catalog> catalog,
            DispatchPolicy policy,
            Coherence coherence,
            @Nullable Passthrough passthrough) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.policy = policy;
        this.passthrough = passthrough;
        this.denied = new DeniedCommands(policy.deniedCommands());
        this.connection = new ConnectionCommands(
                catalog,
                policy.requirePass(),
                policy.initialDatabase(),
                policy.cluster(),
                passthrough == null ? null : new UserAuth(passthrough));
        if (passthrough != null) {
            passthrough.onClosed(hubs::remove);
        }
        FillReplies replies = new FillReplies(policy.maxEntryBytes(), policy.cacheNil());
        this.reads = new CachedReads(Objects.requireNonNull(cache, "cache"), coherence, replies);
        this.multiGets = new CachedMultiGets(cache, coherence, replies);
        this.invalidation = new WriteInvalidation(cache, passthrough == null ? null : coherence.namespaces());
        this.pinned = new PinnedCommands(invalidation, connection, policy.redactSecrets());
        this.info = new InfoSection(cache, coherence, clients::size, this, passthrough == null);
        this.cache = cache;
    }

    /**
     * The handler of a new client, which reaches it through {@code sink} and the upstream through
     * {@code lane}, each of its requests admitted by {@code admission} first.
     */
    public CommandHandler newClient(ReplySink sink, UpstreamLane lane, ClientAdmission admission) {
        boolean required = connection.authenticationRequired();
        sink.requireAuthentication(required);
        ClientContext client = new ClientContext(this, sink, lane, admission, !required, policy.initialDatabase());
        clients.register(client);
        return client;
    }

    /** The number of keys the hot-key and largest-value reports give. */
    public static final int REPORTED = 20;

    /** Whether the keys clients read are counted for the hot-key report: only while someone reads it. */
    private volatile boolean recordingHotKeys;

    /** Counts the keys clients read for the hot-key report from now on (clients that connect from now). */
    public void recordHotKeys() {
        recordingHotKeys = true;
    }

    /** The hot-key recorder of {@code lane}'s loop, made on first use; null while hot keys are not recorded. */
    @Nullable
    Recorder recorder(UpstreamLane lane) {
        return recordingHotKeys ? recorders.computeIfAbsent(lane, l -> hotKeys.recorder(l.loop())) : null;
    }

    /**
     * Takes the reports {@link #hotKeys()} and {@link #largestValues()} give: the hot keys from
     * every loop (asynchronously, each loop snapshotting its own), the largest values by scanning
     * the cache when {@code scanCache} (every stripe in turn, under its lock). Call it every few
     * seconds from a thread of its own, not an event loop.
     */
    public void refreshReports(boolean scanCache) {
        hotKeys.top(REPORTED).thenAccept(top -> hotKeysReport = top);
        if (scanCache) {
            largestReport = cache.largest(REPORTED);
        }
    }

    /** The keys read most over the last minute, most first, as of the last {@link #refreshReports}. */
    public List<HotKey> hotKeys() {
        return hotKeysReport;
    }

    /** The largest cached values, largest first, as of the last {@link #refreshReports} that scanned. */
    public List<StripedLruCache.ValueSize> largestValues() {
        return largestReport;
    }

    /** Commands by name and outcome, counted by each loop, for the metrics. */
    public CommandCounts commandCounts() {
        return counts;
    }

    /** Handles one command of {@code client}. Borrows {@code command}. */
    void route(ClientContext client, RespCommand command) {
        CommandKind kind = CommandKind.of(command);
        // The name counts the command and shows in CLIENT LIST: made once (for some kinds it is a new string).
        String name = kind == null ? null : kind.commandName(command);
        client.lastCommand(name == null ? "forwarded" : name);
        if (kind == CommandKind.CROSS_PROTOCOL) {
            count(client, command, name, CommandCounts.Outcome.ERROR);
            crossProtocol(client, command);
            return;
        }
        if (!denied.isEmpty()) {
            String refusal = denied.refusal(command);
            if (refusal != null) {
                count(client, command, name, CommandCounts.Outcome.ERROR);
                refuse(client, refusal);
                return;
            }
        }
        if (!client.authenticated()
                && kind != CommandKind.AUTH
                && kind != CommandKind.HELLO
                && kind != CommandKind.QUIT) {
            count(client, command, name, CommandCounts.Outcome.ERROR);
            client.sink().reply(Replies.NOAUTH);
            return;
        }
        if (client.subscribed() && client.version() == RespVersion.RESP2 && !allowedWhileSubscribed(kind)) {
            count(client, command, name, CommandCounts.Outcome.ERROR);
            CommandInfo info = lookup(command);
            refuse(
                    client,
                    "ERR Can't execute '"
                            + (info == null ? command.argString(0).toLowerCase(Locale.ROOT) : info.name())
                            + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return;
        }
        Pinning pinning = client.pinning();
        boolean endsConnectionState = kind == CommandKind.QUIT || kind == CommandKind.RESET;
        if (pinning.transactionRefused() && !endsConnectionState) {
            pinned.refused(client, command, kind);
        } else if (pinning.watchRefused() && pinned.refusedWatchStands(client, command, kind)) {
            return;
        } else if (pinning.pinned()) {
            count(client, command, name, CommandCounts.Outcome.FORWARDED);
            routePinned(client, command, kind);
        } else if (kind == null) {
            // One lookup for the count and the routing both.
            CommandInfo info = lookup(command);
            client.count(counts.id(upstreamName(info, command)), CommandCounts.Outcome.FORWARDED);
            forwardOrPin(client, command, info);
        } else {
            routeKind(client, command, kind, Objects.requireNonNull(name, "name"));
        }
    }

    /**
     * Counts {@code command} with {@code outcome} in the client's loop, by its name: its kind's
     * name when it has a kind, else {@link #upstreamName}.
     */
    private void count(
            ClientContext client, RespCommand command, @Nullable String kindName, CommandCounts.Outcome outcome) {
        String name = kindName != null ? kindName : upstreamName(lookup(command), command);
        client.count(counts.id(name), outcome);
    }

    /** A command without a kind: the upstream's name for it ({@code config|get}), else its first word. */
    private static String upstreamName(@Nullable CommandInfo info, RespCommand command) {
        return info != null ? info.name() : command.argString(0).toLowerCase(Locale.ROOT);
    }

    /** What {@code kind} is counted as when routed here, not pinned: answered by respite, or sent on. */
    private static CommandCounts.Outcome outcomeOf(CommandKind kind) {
        return switch (kind) {
            case PING, ECHO, QUIT, HELLO, AUTH, SELECT, RESET, CLIENT -> CommandCounts.Outcome.LOCAL;
            case REPLICATION -> CommandCounts.Outcome.ERROR;
            default -> CommandCounts.Outcome.FORWARDED;
        };
    }

    private void routeKind(ClientContext client, RespCommand command, CommandKind kind, String name) {
        if (kind != CommandKind.GET && kind != CommandKind.MGET) {
            count(client, command, name, outcomeOf(kind));
        }
        switch (kind) {
            case GET -> {
                if (command.argCount() == 2 && catalog.get() != null && client.namespace() >= 0) {
                    boolean hit = reads.get(client, command);
                    client.count(CommandCounts.GET, hit ? CommandCounts.Outcome.HIT : CommandCounts.Outcome.MISS);
                } else {
                    client.count(CommandCounts.GET, CommandCounts.Outcome.FORWARDED);
                    forward(client, command, lookup(command));
                }
            }
            case MGET -> {
                if (command.argCount() > 1 && catalog.get() != null && client.mgetNamespace() >= 0) {
                    boolean hit = multiGets.mget(client, command);
                    client.count(CommandCounts.MGET, hit ? CommandCounts.Outcome.HIT : CommandCounts.Outcome.MISS);
                } else {
                    client.count(CommandCounts.MGET, CommandCounts.Outcome.FORWARDED);
                    forward(client, command, lookup(command));
                }
            }
            case PING -> connection.ping(client, command);
            case ECHO -> connection.echo(client, command);
            case QUIT -> connection.quit(client);
            case HELLO -> connection.hello(client, command);
            case AUTH -> connection.auth(client, command);
            case SELECT -> connection.select(client, command);
            case RESET -> connection.reset(client);
            case CLIENT -> {
                if (PinnedCommands.relaysClient(command)) {
                    pinned.pin(client, command, kind, lookup(command));
                } else if (command.argCount() > 1 && command.argEqualsIgnoreCase(1, LIST)) {
                    if (redisAllows(client, command, LIST)) {
                        clients.list(client, command);
                    }
                } else if (command.argCount() > 1
                        && command.argEqualsIgnoreCase(1, KILL)
                        && (!redisAllows(client, command, KILL) || clients.kill(client, command))) {
                    return;
                } else if (outOfBand(command)) {
                    sendOutOfBand(client, command);
                } else if (!connection.client(client, command)) {
                    forward(client, command, lookup(command));
                }
            }
            case MULTI, WATCH, BLOCKING, RELAY -> pinned.pin(client, command, kind, lookup(command));
            case PUBSUB -> pubSub(client, command);
            case REPLICATION ->
                client.sink()
                        .replyError("ERR respite does not relay replication ('"
                                + command.argString(0).toLowerCase(Locale.ROOT)
                                + "'): connect replicas to Redis itself");
            default -> throw new IllegalStateException("unrouted kind " + kind);
        }
    }

    /** The connection commands respite answers itself while a client is pinned, outside MULTI. */
    private static boolean answeredHere(CommandKind kind) {
        return switch (kind) {
            case SELECT, AUTH, PING, ECHO, HELLO, CLIENT -> true;
            default -> false;
        };
    }

    /** What a RESP2 client in subscribed mode may still run, as on Redis. */
    private static boolean allowedWhileSubscribed(@Nullable CommandKind kind) {
        return kind == CommandKind.PUBSUB
                || kind == CommandKind.PING
                || kind == CommandKind.QUIT
                || kind == CommandKind.RESET;
    }

    /** SUBSCRIBE and friends, held by subscriber connections shared by clients. Borrows {@code command}. */
    private static void pubSub(ClientContext client, RespCommand command) {
        String name = command.argString(0).toLowerCase(Locale.ROOT);
        Kind kind = switch (name) {
            case "subscribe", "unsubscribe" -> Kind.CHANNEL;
            case "psubscribe", "punsubscribe" -> Kind.PATTERN;
            default -> Kind.SHARD;
        };
        if (name.contains("unsubscribe")) {
            client.subscriptions().unsubscribe(kind, command);
        } else if (command.argCount() < 2) {
            client.sink().replyError(Replies.wrongArity(name));
        } else {
            client.subscriptions().subscribe(kind, command);
        }
    }

    /** Users' lanes and partitions ({@code --auth passthrough}); only called for clients that run as a user. */
    Passthrough passthrough() {
        return Objects.requireNonNull(passthrough, "passthrough");
    }

    /** Every client of this router, for CLIENT LIST and CLIENT KILL. */
    ClientRegistry clients() {
        return clients;
    }

    /** The subscription hub of {@code lane} (on its loop), made on first use. */
    SubscriberHub hub(UpstreamLane lane) {
        return hubs.computeIfAbsent(lane, SubscriberHub::new);
    }

    /**
     * Whether {@code command} is one Redis answers while a script or function keeps it busy, or one
     * an operator uses to unstick it (SCRIPT KILL, FUNCTION KILL, SHUTDOWN; CLIENT KILL, UNBLOCK,
     * PAUSE, UNPAUSE): it goes on a connection of its own, since behind the busy lane it would
     * never arrive. None of them uses a database.
     */
    private static boolean outOfBand(RespCommand command) {
        if (command.argEqualsIgnoreCase(0, SHUTDOWN)) {
            return true;
        }
        if (command.argCount() < 2) {
            return false;
        }
        if (command.argEqualsIgnoreCase(0, SCRIPT) || command.argEqualsIgnoreCase(0, FUNCTION)) {
            return command.argEqualsIgnoreCase(1, KILL);
        }
        return command.argEqualsIgnoreCase(0, CLIENT)
                && (command.argEqualsIgnoreCase(1, KILL)
                        || command.argEqualsIgnoreCase(1, UNBLOCK)
                        || command.argEqualsIgnoreCase(1, PAUSE)
                        || command.argEqualsIgnoreCase(1, UNPAUSE));
    }

    /** Sends {@code command} on a connection of its own (see {@link #outOfBand}). Borrows {@code command}. */
    private static void sendOutOfBand(ClientContext client, RespCommand command) {
        client.lane()
                .sendOutOfBand(
                        client.version(),
                        command.frame().retain(),
                        client.sink().replyLater());
    }

    /**
     * A command of a pinned client: to the dedicated connection, apart from QUIT and RESET and,
     * outside a transaction, the connection commands respite answers itself (they concern the
     * client's own connection, which the dedicated one only serves for a while). Inside a
     * transaction, SELECT is queued upstream and takes effect at EXEC, as on Redis.
     */
    private void routePinned(ClientContext client, RespCommand command, @Nullable CommandKind kind) {
        Pinning pinning = client.pinning();
        if (kind == CommandKind.QUIT) {
            connection.quit(client);
        } else if (kind == CommandKind.RESET) {
            connection.reset(client);
        } else if (pinning.relaying() || kind == null) {
            pinned.send(client, command, kind, lookup(command));
        } else if (kind == CommandKind.PUBSUB) {
            refuse(
                    client,
                    "ERR respite does not take subscriptions while a transaction, a WATCH or a blocking "
                            + "command holds this connection");
        } else if (pinning.inTransaction()) {
            if (kind == CommandKind.AUTH || kind == CommandKind.HELLO) {
                refuse(
                        client,
                        "ERR respite does not queue " + command.argString(0).toUpperCase(Locale.ROOT)
                                + " inside MULTI: it concerns the connection to respite, not the transaction's");
            } else {
                pinned.send(client, command, kind, lookup(command));
            }
        } else if (answeredHere(kind) && client.sink().hasPendingReplies()) {
            // A connection command answered here changes (or reads) what replies still due may
            // change: an EXEC that runs a queued SELECT. It waits for them, as it would on Redis.
            client.holdUntilDrained(command);
        } else {
            switch (kind) {
                case SELECT -> connection.select(client, command);
                case AUTH -> connection.auth(client, command);
                case PING -> connection.ping(client, command);
                case ECHO -> connection.echo(client, command);
                case HELLO -> {
                    if (ConnectionCommands.helloSwitchesProtocol(client, command)) {
                        client.sink()
                                .replyError("ERR respite cannot switch protocols while a transaction, a WATCH or a "
                                        + "blocking command holds this connection");
                    } else {
                        connection.hello(client, command);
                    }
                }
                case CLIENT -> {
                    if (command.argCount() > 1 && command.argEqualsIgnoreCase(1, LIST)) {
                        if (redisAllows(client, command, LIST)) {
                            clients.list(client, command);
                        }
                    } else if (command.argCount() > 1
                            && command.argEqualsIgnoreCase(1, KILL)
                            && (!redisAllows(client, command, KILL) || clients.kill(client, command))) {
                        return;
                    } else if (PinnedCommands.relaysClient(command) || !connection.client(client, command)) {
                        pinned.send(client, command, kind, lookup(command));
                    }
                }
                default -> pinned.send(client, command, kind, lookup(command));
            }
        }
    }

    /**
     * Whether Redis lets the client's user ({@code --auth passthrough}) run CLIENT {@code sub}
     * ({@code LIST} or {@code KILL}), which respite answers about its own clients: asked first
     * with a probe that changes nothing ({@code CLIENT LIST ID 0}, {@code CLIENT KILL ID 0}) on
     * the user's lane, the client held until the answer, so that no user sees or ends other
     * clients through respite when Redis would refuse it. Only Redis's {@code NOPERM}, or no
     * answer at all, refuses; the refusal is answered here. True at once without passthrough.
     * Borrows {@code command}.
     */
    private boolean redisAllows(ClientContext client, RespCommand command, byte[] sub) {
        if (client.user() == null) {
            return true;
        }
        String verdict = client.takeVerdict();
        if (verdict != null) {
            if (verdict.isEmpty()) {
                return true;
            }
            refuse(client, verdict);
            return false;
        }
        Consumer<String> answer = client.awaitVerdict(command);
        RespCommand probe = RespCommand.of(CLIENT, sub, ID, ZERO);
        client.lane().send(client.database(), client.version(), probe.frame().retain(), new ReplyCallback() {
            /** Takes ownership of {@code frame}. */
            @Override
            public void onReply(ByteBuf frame) {
                String text;
                try {
                    text = frame.toString(StandardCharsets.UTF_8);
                } finally {
                    frame.release();
                }
                answer.accept(text.startsWith("-NOPERM") ? text.substring(1).strip() : "");
            }

            @Override
            public void onFailure(String error) {
                answer.accept(error);
            }
        });
        probe.release();
        return false;
    }

    /**
     * A command respite does not know by name: pinned if the table ({@code info}, null before it is
     * loaded) says it blocks, else forwarded.
     */
    private void forwardOrPin(ClientContext client, RespCommand command, @Nullable CommandInfo info) {
        if (outOfBand(command)) {
            sendOutOfBand(client, command);
            return;
        }
        if (command.argEqualsIgnoreCase(0, INFO) && this.info.info(client, command, this)) {
            return;
        }
        if (info != null && info.hasFlag("blocking")) {
            pinned.pin(client, command, CommandKind.BLOCKING, info);
        } else {
            forward(client, command, info);
        }
    }

    /** Forwards {@code command} on the shared lane; a write's keys leave the cache. Borrows {@code command}. */
    private void forward(ClientContext client, RespCommand command, @Nullable CommandInfo info) {
        ReplyCallback callback = client.sink().replyLater();
        if (info != null && info.mayWrite()) {
            invalidation.invalidate(client.database(), command, info);
            callback = invalidation.onReply(callback, client.database(), command.retain(), info);
        } else if (policy.redactSecrets() && isConfigGet(info)) {
            callback = new Redacting(callback);
        }
        client.lane().send(client.database(), client.version(), command.frame().retain(), callback);
    }

    /** Sends a command of respite's own for {@code client} on its shared lane. Borrows {@code command}. */
    void sendShared(ClientContext client, RespCommand command, ReplyCallback callback) {
        client.lane().send(client.database(), client.version(), command.frame().retain(), callback);
    }

    /** The upstream's description of {@code command} (or of its subcommand), or null before the table is loaded. */
    @Nullable
    CommandInfo lookup(RespCommand command) {
        Catalog known = catalog.get();
        return known == null ? null : known.commands().lookup(command);
    }

    static boolean isConfigGet(@Nullable CommandInfo info) {
        return info != null && info.name().equals("config|get");
    }

    /**
     * Redis's guard against cross-protocol scripting: a client that sends {@code POST} or
     * {@code Host:} is an HTTP request (a browser tricked into it, or a forged server-side
     * request), so it is closed at once and nothing of it, or after it, reaches Redis.
     */
    private static void crossProtocol(ClientContext client, RespCommand command) {
        CROSS_PROTOCOL_LOG.log(client.sink().describe() + ": sent '" + command.argString(0) + "', as an HTTP client "
                + "would; closing it (Redis's guard against cross-protocol scripting)");
        client.sink().abort();
    }

    /**
     * Refuses a request over its rate limit: it never reaches Redis, and inside MULTI EXEC aborts.
     * Borrows {@code command}.
     */
    void rateLimited(ClientContext client, RespCommand command) {
        CommandKind kind = CommandKind.of(command);
        count(client, command, kind == null ? null : kind.commandName(command), CommandCounts.Outcome.ERROR);
        refuse(client, Admission.RATE_LIMITED);
    }

    /** Refuses a command here; inside a transaction that makes EXEC abort, as in Redis. */
    private static void refuse(ClientContext client, String error) {
        if (client.pinning().inTransaction()) {
            client.pinning().transaction().fail();
        }
        client.sink().replyError(error);
    }

    /** Passes a CONFIG GET reply on with the upstream's secrets redacted. */
    private record Redacting(ReplyCallback next) implements ReplyCallback {
        /** Takes ownership of {@code frame}. */
        @Override
        public void onReply(ByteBuf frame) {
            next.onReply(ConfigRedaction.redact(frame));
        }

        @Override
        public void onFailure(String error) {
            next.onFailure(error);
        }
    }
}
