package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import io.respite.proxy.cache.LoadToken;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.command.CommandInfo;
import io.respite.proxy.command.NameIndex;
import io.respite.proxy.logging.RateLimitedLog;
import io.respite.proxy.session.ClientSession;
import io.respite.proxy.session.CommandHandler;
import io.respite.proxy.upstream.ReplyCallback;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import io.respite.resp.internal.RespBytes;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Routes each command: connection commands are answered locally, as Redis answers them; GET is
 * answered from the cache or read upstream and cached; everything else is forwarded unchanged.
 *
 * <p>Coherence through this proxy: a write command's keys leave the cache when it is sent (so a
 * GET pipelined behind it misses and reads upstream, behind the write) and again when its reply
 * arrives (so a read on another event loop that raced the write cannot leave the old value
 * behind: its fill token is stale by then). A write whose keys cannot all be found, or that has
 * no keys at all (FLUSHDB, FLUSHALL, SWAPDB), empties the cache. Until the upstream's command
 * table is loaded nothing is cached, because writes could not be recognised.
 *
 * <p>Shared by all sessions; stateless apart from a per-thread key buffer.
 */
public final class CommandDispatcher implements CommandHandler {

    /** Commands answered or refused here instead of being forwarded. */
    private enum Local {
        PING, ECHO, QUIT, HELLO, AUTH, SELECT, CLIENT, RESET, GET, MGET,
        /** Open or change connection state that lives until EXEC, DISCARD or UNWATCH: pins a while. */
        MULTI, WATCH,
        /** Block the connection until the upstream answers (WAIT, BLPOP...): pinned for their duration. */
        WAIT,
        /** Turn the connection into a stream of frames: pinned for good, relayed transparently. */
        SUBSCRIBE,
        /** Replication streams cannot pass through a proxy. */
        REPLICATION,
        /** {@code POST} and {@code Host:}: an HTTP request, from a browser or a forged request; closes the client. */
        CROSS_PROTOCOL
    }

    private static final Logger LOG = Logger.getLogger(CommandDispatcher.class.getName());
    /** Cross-protocol attempts, at most one line a minute, as Redis logs its own. */
    private static final RateLimitedLog CROSS_PROTOCOL_LOG =
            new RateLimitedLog(LOG, Level.WARNING, 60, TimeUnit.SECONDS);

    private static final NameIndex<Local> LOCAL = localIndex();

    private static final byte[] CLIENT_ID = upper("ID");
    private static final byte[] CLIENT_SETNAME = upper("SETNAME");
    private static final byte[] CLIENT_GETNAME = upper("GETNAME");
    private static final byte[] CLIENT_SETINFO = upper("SETINFO");
    private static final byte[] CLIENT_INFO = upper("INFO");
    private static final byte[] CLIENT_TRACKING = upper("TRACKING");
    private static final byte[] CLIENT_CACHING = upper("CACHING");
    private static final byte[] CLIENT_REPLY = upper("REPLY");
    private static final byte[] HELLO_AUTH = upper("AUTH");
    private static final byte[] HELLO_SETNAME = upper("SETNAME");
    private static final byte[] MGET_NAME = upper("MGET");
    private static final byte[] XREAD = upper("XREAD");
    private static final byte[] XREADGROUP = upper("XREADGROUP");
    private static final byte[] BLOCK = upper("BLOCK");
    private static final byte[] QUEUED = "+QUEUED\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXECABORT =
            "-EXECABORT Transaction discarded because of previous errors.\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Cache keys are the database, then the key: one byte for databases below 255. */
    private static final int MAX_KEY_PREFIX = 5;

    private static final FastThreadLocal<byte[]> KEY_BUFFER = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[256];
        }
    };

    private final StripedLruCache cache;
    private final AtomicReference<Catalog> catalog;
    private final String requirePass;
    private final long maxEntryBytes;
    private final int initialDatabase;
    private final DeniedCommands denied;
    private final boolean redactSecrets;

    /**
     * @param catalog holds the upstream's catalog once loaded; null inside until then
     * @param policy the options that decide what clients may do and see
     */
    public CommandDispatcher(StripedLruCache cache, AtomicReference<Catalog> catalog, DispatchPolicy policy) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.requirePass = policy.requirePass();
        this.maxEntryBytes = policy.maxEntryBytes();
        this.initialDatabase = policy.initialDatabase();
        this.denied = new DeniedCommands(policy.deniedCommands());
        this.redactSecrets = policy.redactSecrets();
    }

    @Override
    public void handle(ClientSession session, RespCommand command) {
        Local local = LOCAL.get(command.frame(), command.frame().readerIndex() + command.argOffset(0),
                command.argLength(0));
        if (local == Local.CROSS_PROTOCOL) {
            crossProtocol(session, command);
            return;
        }
        if (!denied.isEmpty()) {
            String refusal = denied.refusal(command);
            if (refusal != null) {
                refuse(session, refusal);
                return;
            }
        }
        if (!session.authenticated() && local != Local.AUTH && local != Local.HELLO && local != Local.QUIT) {
            session.reply(Replies.NOAUTH);
            return;
        }
        if (session.pinned()) {
            pinned(session, command, local);
            return;
        }
        if (local == null) {
            forward(session, command);
            return;
        }
        switch (local) {
            case GET -> get(session, command);
            case MGET -> mget(session, command);
            case PING -> ping(session, command);
            case ECHO -> echo(session, command);
            case QUIT -> {
                session.reply(Replies.OK);
                session.closeAfterReplies();
            }
            case HELLO -> hello(session, command);
            case AUTH -> auth(session, command);
            case SELECT -> select(session, command);
            case CLIENT -> client(session, command);
            case RESET -> reset(session);
            case MULTI, WATCH, WAIT -> pin(session, command, local, false);
            case SUBSCRIBE -> pin(session, command, local, true);
            case REPLICATION -> session.replyError("ERR respite does not relay replication ('"
                    + command.argString(0).toLowerCase(java.util.Locale.ROOT) + "'): connect replicas to Redis itself");
            default -> throw new IllegalStateException("unhandled " + local);
        }
    }

    /**
     * Redis's guard against cross-protocol scripting: a client that sends {@code POST} or
     * {@code Host:} is an HTTP request (a browser tricked into it, or a forged server-side
     * request), so it is closed at once and nothing of it, or after it, reaches Redis.
     */
    private static void crossProtocol(ClientSession session, RespCommand command) {
        CROSS_PROTOCOL_LOG.log(session.describe() + ": sent '" + command.argString(0) + "', as an HTTP client "
                + "would; closing it (Redis's guard against cross-protocol scripting)");
        session.abort();
    }

    /** Refuses a command here; inside a transaction that makes EXEC abort, as in Redis. */
    private static void refuse(ClientSession session, String error) {
        if (session.pinned() && session.inMulti()) {
            session.transaction().fail();
        }
        session.replyError(error);
    }

    // ---- GET: the cache ---------------------------------------------------------------------

    private void get(ClientSession session, RespCommand command) {
        Catalog known = catalog.get();
        if (command.argCount() != 2 || known == null) {
            forward(session, command);
            return;
        }
        byte[] key = keyBuffer(command, 1);
        int length = cacheKey(session.database(), command, 1, key);
        byte[] hit = cache.get(key, 0, length);
        if (hit != null) {
            session.reply(hit);
            return;
        }
        LoadToken token = cache.beginLoad(key, 0, length);
        ClientSession.Reply slot = session.replyLater();
        session.lane().send(session.database(), session.version(), command.frame().retain(), new Fill(slot, token));
    }

    /** Installs a GET reply in the cache (if its token is still valid) and passes it on. */
    private final class Fill implements ReplyCallback {

        private final ClientSession.Reply slot;
        private final LoadToken token;

        Fill(ClientSession.Reply slot, LoadToken token) {
            this.slot = slot;
            this.token = token;
        }

        /** Takes ownership of {@code frame}. */
        @Override
        public void onReply(ByteBuf frame) {
            fill(token, frame, frame.readerIndex(), frame.readableBytes());
            slot.onReply(frame);
        }

        @Override
        public void onFailure(String error) {
            cache.abandonLoad(token);
            slot.onFailure(error);
        }
    }

    /**
     * MGET: every key that hits is answered from the cache; the rest go upstream in one MGET, and
     * the reply is assembled in the client's order from both.
     */
    private void mget(ClientSession session, RespCommand command) {
        Catalog known = catalog.get();
        int keys = command.argCount() - 1;
        if (keys < 1 || known == null) {
            forward(session, command);
            return;
        }
        byte[][] hits = new byte[keys][];
        int misses = 0;
        for (int i = 0; i < keys; i++) {
            byte[] key = keyBuffer(command, i + 1);
            int length = cacheKey(session.database(), command, i + 1, key);
            hits[i] = cache.get(key, 0, length);
            if (hits[i] == null) {
                misses++;
            }
        }
        if (misses == 0) {
            session.reply(MultiGet.assemble(hits, null, null));
            return;
        }
        int[] missing = new int[misses];
        LoadToken[] tokens = new LoadToken[misses];
        byte[][] missingKeys = new byte[misses + 1][];
        missingKeys[0] = MGET_NAME;
        for (int i = 0, m = 0; i < keys; i++) {
            if (hits[i] == null) {
                missing[m] = i;
                missingKeys[m + 1] = command.argBytes(i + 1);
                byte[] key = keyBuffer(command, i + 1);
                int length = cacheKey(session.database(), command, i + 1, key);
                tokens[m] = cache.beginLoad(key, 0, length);
                m++;
            }
        }
        RespCommand upstreamGet = RespCommand.of(missingKeys);
        ByteBuf frame = upstreamGet.frame().retain();
        upstreamGet.release();
        session.lane().send(session.database(), session.version(), frame,
                new MultiGet(session.replyLater(), hits, missing, tokens));
    }

    /** Completes an MGET: fills the cache with what the upstream returned and merges it with the hits. */
    private final class MultiGet implements ReplyCallback {

        private final ClientSession.Reply slot;
        private final byte[][] hits;
        private final int[] missing;
        private final LoadToken[] tokens;

        MultiGet(ClientSession.Reply slot, byte[][] hits, int[] missing, LoadToken[] tokens) {
            this.slot = slot;
            this.hits = hits;
            this.missing = missing;
            this.tokens = tokens;
        }

        /** Takes ownership of {@code frame}. */
        @Override
        public void onReply(ByteBuf frame) {
            int[] bounds = FlatArrays.elements(frame, missing.length);
            if (bounds == null) {
                abandonAll();
                slot.onReply(frame);
                return;
            }
            for (int m = 0; m < missing.length; m++) {
                fill(tokens[m], frame, bounds[2 * m], bounds[2 * m + 1]);
            }
            ByteBuf reply = assemble(hits, frame, bounds);
            frame.release();
            slot.onReply(reply);
        }

        @Override
        public void onFailure(String error) {
            abandonAll();
            slot.onFailure(error);
        }

        private void abandonAll() {
            for (LoadToken token : tokens) {
                cache.abandonLoad(token);
            }
        }

        /**
         * The client's reply: the hits in place, and where a hit is null, the next element of
         * {@code upstream} (at {@code bounds}); returns a new buffer the caller owns.
         */
        static ByteBuf assemble(byte[][] hits, ByteBuf upstream, int[] bounds) {
            int size = 16;
            for (int i = 0, m = 0; i < hits.length; i++) {
                size += hits[i] != null ? hits[i].length : bounds[2 * m++ + 1];
            }
            ByteBuf out = io.netty.buffer.Unpooled.buffer(size);
            RespBytes.writeHeader(out, RespBytes.ARRAY, hits.length);
            for (int i = 0, m = 0; i < hits.length; i++) {
                if (hits[i] != null) {
                    out.writeBytes(hits[i]);
                } else {
                    out.writeBytes(upstream, bounds[2 * m], bounds[2 * m + 1]);
                    m++;
                }
            }
            return out;
        }
    }

    /**
     * Completes {@code token} with a copy of the {@code length} reply bytes at {@code index} when
     * they are cacheable, and abandons it otherwise. Borrows {@code frame}.
     */
    private void fill(LoadToken token, ByteBuf frame, int index, int length) {
        if (cacheableBulk(frame, index, length)) {
            byte[] wire = new byte[length];
            frame.getBytes(index, wire);
            cache.completeLoad(token, wire, 0);
        } else {
            cache.abandonLoad(token);
        }
    }

    /**
     * True when the {@code length} bytes at {@code index} are a bulk string (not nil) whose value
     * is at most --max-entry-size bytes. Borrows {@code frame}.
     */
    private boolean cacheableBulk(ByteBuf frame, int index, int length) {
        if (frame.getByte(index) != '$' || frame.getByte(index + 1) == '-') {
            return false;
        }
        int header = frame.bytesBefore(index, length, (byte) '\r') + 2;
        return length - header - 2 <= maxEntryBytes;
    }

    /** The thread's key buffer, or a new array when argument {@code arg}'s cache key would not fit. */
    private static byte[] keyBuffer(RespCommand command, int arg) {
        byte[] buffer = KEY_BUFFER.get();
        int needed = command.argLength(arg) + MAX_KEY_PREFIX;
        return buffer.length >= needed ? buffer : new byte[needed];
    }

    /**
     * Writes the cache key of argument {@code arg} in {@code database} into {@code out}, which
     * must come from {@link #keyBuffer}; returns its length.
     */
    private static int cacheKey(int database, RespCommand command, int arg, byte[] out) {
        int at;
        if (database < 0xFF) {
            out[0] = (byte) database;
            at = 1;
        } else {
            out[0] = (byte) 0xFF;
            out[1] = (byte) (database >>> 24);
            out[2] = (byte) (database >>> 16);
            out[3] = (byte) (database >>> 8);
            out[4] = (byte) database;
            at = MAX_KEY_PREFIX;
        }
        return at + command.copyArg(arg, out, at);
    }

    // ---- forwarding and write invalidation --------------------------------------------------

    private void forward(ClientSession session, RespCommand command) {
        Catalog known = catalog.get();
        CommandInfo info = known == null ? null : known.commands().lookup(command);
        if (info != null && info.hasFlag("blocking")) {
            pin(session, command, null, false);
            return;
        }
        ClientSession.Reply slot = session.replyLater();
        ReplyCallback callback = slot;
        if (info != null && info.mayWrite()) {
            invalidate(session.database(), command, info);
            callback = new InvalidateOnReply(slot, session.database(), command.retain(), info);
        } else if (redactSecrets && isConfigGet(info)) {
            callback = new Redacting(slot);
        }
        session.lane().send(session.database(), session.version(), command.frame().retain(), callback);
    }

    private static boolean isConfigGet(CommandInfo info) {
        return info != null && info.name().equals("config|get");
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

    /**
     * Removes from the cache every key {@code command} may write; a write with no keys (FLUSHDB,
     * SWAPDB) or with keys that cannot be found empties the cache.
     */
    private void invalidate(int database, RespCommand command, CommandInfo info) {
        if (info.isWrite() && info.keySpecs().isEmpty()) {
            cache.invalidateAll();
            return;
        }
        boolean complete = WrittenKeys.forEach(info, command, database, (db, arg) -> {
            byte[] key = keyBuffer(command, arg);
            cache.invalidate(key, 0, cacheKey(db, command, arg, key));
        });
        if (!complete) {
            cache.invalidateAll();
        }
    }

    /** Invalidates a write's keys again when its reply arrives, then passes the reply on. */
    private final class InvalidateOnReply implements ReplyCallback {

        private final ReplyCallback next;
        private final int database;
        private final RespCommand command;
        private final CommandInfo info;

        /** Takes ownership of {@code command} (one reference, released when the reply arrives). */
        InvalidateOnReply(ReplyCallback next, int database, RespCommand command, CommandInfo info) {
            this.next = next;
            this.database = database;
            this.command = command;
            this.info = info;
        }

        @Override
        public void onReply(ByteBuf frame) {
            invalidate(database, command, info);
            command.release();
            next.onReply(frame);
        }

        @Override
        public void onFailure(String error) {
            // The write may or may not have happened: forget the keys either way.
            invalidate(database, command, info);
            command.release();
            next.onFailure(error);
        }
    }

    // ---- pinned: a dedicated upstream connection ---------------------------------------------

    /**
     * Moves the session onto its dedicated connection and sends {@code command} there; first
     * waits for every reply pending on the shared lane, so nothing sent before can run after.
     *
     * @param local the command's local kind, as {@link #handle} found it (null if none)
     * @param forGood relay transparently from now on (subscriptions, MONITOR, client tracking)
     */
    private void pin(ClientSession session, RespCommand command, Local local, boolean forGood) {
        if (session.hasPendingReplies()) {
            session.holdUntilDrained(command);
            return;
        }
        if (session.dedicated() == null) {
            session.replyError("ERR max number of pinned connections reached: MULTI, WATCH, blocking commands, "
                    + "pub/sub and MONITOR each need one (see --max-pinned)");
            return;
        }
        session.pin(forGood);
        pinned(session, command, local);
    }

    /** A command of a pinned session: to the dedicated connection, apart from QUIT and RESET. */
    private void pinned(ClientSession session, RespCommand command, Local local) {
        if (local == Local.QUIT) {
            session.reply(Replies.OK);
            session.closeAfterReplies();
            return;
        }
        if (local == Local.RESET) {
            reset(session);
            return;
        }
        boolean clientReply = local == Local.CLIENT && command.argCount() > 1
                && command.argEqualsIgnoreCase(1, CLIENT_REPLY);
        if (local == Local.SUBSCRIBE || clientReply || (local == Local.CLIENT && command.argCount() > 1
                && command.argEqualsIgnoreCase(1, CLIENT_TRACKING))) {
            session.pin(true);
        }
        if (clientReply) {
            session.repliesSwitched();
        }
        Catalog known = catalog.get();
        CommandInfo info = known == null ? null : known.commands().lookup(command);
        boolean configGet = redactSecrets && isConfigGet(info);
        if (session.transparent() && configGet) {
            session.replyError("ERR respite does not relay CONFIG GET on a connection in pub/sub, MONITOR or "
                    + "tracking mode: its reply could not be kept from showing the upstream's secrets");
            return;
        }
        if (session.inMulti() && session.transaction().failed() && info != null && info.name().equals("exec")) {
            abortTransaction(session);
            return;
        }
        boolean write = info != null && info.mayWrite();
        if (write) {
            invalidate(session.database(), command, info);
        }
        ByteBuf frame = command.frame().retain();
        if (session.transparent()) {
            session.dedicated().sendWithoutReply(session.database(), frame, session.relayTimed());
            return;
        }
        boolean timed = session.inMulti() || !blocks(command, local, info);
        ReplyCallback callback = pinnedReply(session, command, local, info, write, configGet);
        session.pinnedSent();
        session.dedicated().send(session.database(), frame, callback, timed);
    }

    /**
     * True for a command that may rightly wait longer than --timeout for its reply, and so is sent
     * untimed: blocking commands (BLPOP, BRPOP, BLMOVE, BZPOPMIN, WAIT, WAITAOF..., and XREAD or
     * XREADGROUP with BLOCK), which have timeouts of their own. Inside MULTI nothing blocks.
     */
    private static boolean blocks(RespCommand command, Local local, CommandInfo info) {
        if (local != Local.WAIT && (info == null || !info.hasFlag("blocking"))) {
            return false;
        }
        if (!command.argEqualsIgnoreCase(0, XREAD) && !command.argEqualsIgnoreCase(0, XREADGROUP)) {
            return true;
        }
        for (int i = 1; i < command.argCount(); i++) {
            if (command.argEqualsIgnoreCase(i, BLOCK)) {
                return true;
            }
        }
        return false;
    }

    /**
     * EXEC of a transaction in which respite refused a command: Redis would abort it, so the
     * upstream's transaction is discarded and the client gets Redis's EXECABORT.
     */
    private void abortTransaction(ClientSession session) {
        ClientSession.Reply slot = session.replyLater();
        session.inMulti(false);
        session.watching(false);
        session.takeQueuedWrites().forEach(RespCommand::release);
        session.pinnedSent();
        session.dedicated().send(session.database(), frame("DISCARD"), new ReplyCallback() {
            @Override
            public void onReply(ByteBuf frame) {
                frame.release();
                slot.onReply(Unpooled.wrappedBuffer(EXECABORT));
                session.pinnedReplied();
            }

            @Override
            public void onFailure(String error) {
                slot.onFailure(error);
                session.pinnedReplied();
            }
        }, true);
    }

    private static ByteBuf frame(String... args) {
        RespCommand command = RespCommand.of(args);
        ByteBuf frame = command.frame().retain();
        command.release();
        return frame;
    }

    /** Tracks the transaction state a pinned command changes, and what its reply must invalidate. */
    private ReplyCallback pinnedReply(ClientSession session, RespCommand command, Local local, CommandInfo info,
            boolean write, boolean configGet) {
        ClientSession.Reply slot = session.replyLater();
        String name = info == null ? "" : info.name();
        java.util.List<RespCommand> writes = java.util.List.of();
        boolean inTransaction = session.inMulti();
        boolean exec = name.equals("exec");
        IntList redact = exec && inTransaction ? new IntArrayList(session.transaction().configGets()) : null;
        if (local == Local.MULTI) {
            if (!session.inMulti()) {
                session.transaction().begin();
            }
            session.inMulti(true);
        } else if (local == Local.WATCH && !session.inMulti()) {
            // Inside MULTI, Redis refuses WATCH with an error and nothing changes.
            session.watching(true);
        } else if (name.equals("exec") || name.equals("discard")) {
            session.inMulti(false);
            session.watching(false);
            writes = session.takeQueuedWrites();
        } else if (name.equals("unwatch") && !session.inMulti()) {
            session.watching(false);
        } else if (write && session.inMulti()) {
            session.queueWrite(command);
        }
        int database = session.database();
        java.util.List<RespCommand> ended = writes;
        RespCommand own = write && !session.inMulti() ? command.retain() : null;
        boolean queues = inTransaction && !exec && !name.equals("discard") && local != Local.MULTI
                && local != Local.WATCH && local != Local.QUIT && local != Local.RESET;
        return new ReplyCallback() {
            @Override
            public void onReply(ByteBuf frame) {
                settle();
                ByteBuf reply = frame;
                if (queues && isQueued(frame)) {
                    session.transaction().queued(configGet);
                } else if (redact != null && !redact.isEmpty()) {
                    reply = ConfigRedaction.redactElements(frame, redact);
                } else if (configGet && !inTransaction) {
                    reply = ConfigRedaction.redact(frame);
                }
                slot.onReply(reply);
                session.pinnedReplied();
            }

            @Override
            public void onFailure(String error) {
                settle();
                slot.onFailure(error);
                session.pinnedReplied();
            }

            /** The write happened (or may have): its keys, and a finished transaction's, leave the cache. */
            private void settle() {
                if (own != null) {
                    invalidate(database, own, info);
                    own.release();
                }
                for (RespCommand queued : ended) {
                    CommandInfo queuedInfo = catalog.get() == null ? null : catalog.get().commands().lookup(queued);
                    if (queuedInfo != null) {
                        invalidate(database, queued, queuedInfo);
                    }
                    queued.release();
                }
            }
        };
    }

    /** True when {@code frame} is Redis's {@code +QUEUED}. Borrows {@code frame}. */
    private static boolean isQueued(ByteBuf frame) {
        return frame.readableBytes() == QUEUED.length
                && ByteBufUtil.equals(frame, frame.readerIndex(), Unpooled.wrappedBuffer(QUEUED), 0, QUEUED.length);
    }

    // ---- connection commands, as Redis answers them -----------------------------------------

    private static void ping(ClientSession session, RespCommand command) {
        switch (command.argCount()) {
            case 1 -> session.reply(Replies.PONG);
            case 2 -> session.reply(Replies.bulk(command.argBytes(1)));
            default -> session.replyError(Replies.wrongArity("ping"));
        }
    }

    private static void echo(ClientSession session, RespCommand command) {
        if (command.argCount() != 2) {
            session.replyError(Replies.wrongArity("echo"));
            return;
        }
        session.reply(Replies.bulk(command.argBytes(1)));
    }

    private void auth(ClientSession session, RespCommand command) {
        if (command.argCount() < 2) {
            session.replyError(Replies.wrongArity("auth"));
            return;
        }
        if (command.argCount() > 3) {
            session.replyError("ERR syntax error");
            return;
        }
        if (requirePass == null && command.argCount() == 2) {
            session.replyError("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?");
            return;
        }
        String user = command.argCount() == 3 ? command.argString(1) : "default";
        String password = command.argString(command.argCount() - 1);
        if (!checkCredentials(user, password)) {
            session.reply(Replies.WRONGPASS);
            return;
        }
        session.authenticated(true);
        session.reply(Replies.OK);
    }

    /** respite has one user, {@code default}, whose password is --requirepass (any password when unset). */
    private boolean checkCredentials(String user, String password) {
        return user.equals("default") && (requirePass == null || requirePass.equals(password));
    }

    private void hello(ClientSession session, RespCommand command) {
        RespVersion version = session.version();
        int arg = 1;
        if (command.argCount() > 1) {
            long protocol = parseLong(command, 1);
            if (protocol == RespBytes.NOT_A_NUMBER) {
                session.replyError("ERR Protocol version is not an integer or out of range");
                return;
            }
            if (protocol != 2 && protocol != 3) {
                session.replyError("NOPROTO unsupported protocol version");
                return;
            }
            version = protocol == 3 ? RespVersion.RESP3 : RespVersion.RESP2;
            arg = 2;
        }
        String user = null;
        String password = null;
        String name = null;
        for (; arg < command.argCount(); arg++) {
            int remaining = command.argCount() - arg - 1;
            if (command.argEqualsIgnoreCase(arg, HELLO_AUTH) && remaining >= 2) {
                user = command.argString(arg + 1);
                password = command.argString(arg + 2);
                arg += 2;
            } else if (command.argEqualsIgnoreCase(arg, HELLO_SETNAME) && remaining >= 1) {
                name = command.argString(arg + 1);
                if (!Replies.validClientName(name)) {
                    session.replyError(Replies.BAD_CLIENT_NAME);
                    return;
                }
                arg += 1;
            } else {
                session.replyError("ERR Syntax error in HELLO option '" + command.argString(arg) + "'");
                return;
            }
        }
        if (user != null) {
            if (!checkCredentials(user, password)) {
                session.reply(Replies.WRONGPASS);
                return;
            }
            session.authenticated(true);
        }
        if (version != session.version() && session.hasPendingReplies()) {
            // RESP2 and RESP3 commands travel on different upstream connections: let everything
            // sent so far be answered before switching, so nothing overtakes it.
            session.holdUntilDrained(command);
            return;
        }
        if (!session.authenticated()) {
            session.replyError("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                    + "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the "
                    + "RESP protocol version at the same time");
            return;
        }
        if (name != null) {
            session.name(name.isEmpty() ? null : name);
        }
        session.version(version);
        Catalog known = catalog.get();
        session.reply(Replies.hello(version, known == null ? "unknown" : known.version(), session.id()));
    }

    private void select(ClientSession session, RespCommand command) {
        if (command.argCount() != 2) {
            session.replyError(Replies.wrongArity("select"));
            return;
        }
        long database = parseLong(command, 1);
        if (database == RespBytes.NOT_A_NUMBER) {
            session.replyError("ERR value is not an integer or out of range");
            return;
        }
        Catalog known = catalog.get();
        int databases = known == null ? 16 : known.databases();
        if (database < 0 || database >= databases) {
            session.replyError("ERR DB index is out of range");
            return;
        }
        session.database((int) database);
        session.reply(Replies.OK);
    }

    private void client(ClientSession session, RespCommand command) {
        if (command.argCount() < 2) {
            session.replyError(Replies.wrongArity("client"));
            return;
        }
        if (command.argEqualsIgnoreCase(1, CLIENT_ID) && command.argCount() == 2) {
            session.reply(Replies.integer(session.id()));
        } else if (command.argEqualsIgnoreCase(1, CLIENT_SETNAME) && command.argCount() == 3) {
            String name = command.argString(2);
            if (!Replies.validClientName(name)) {
                session.replyError(Replies.BAD_CLIENT_NAME);
                return;
            }
            session.name(name.isEmpty() ? null : name);
            session.reply(Replies.OK);
        } else if (command.argEqualsIgnoreCase(1, CLIENT_GETNAME) && command.argCount() == 2) {
            session.reply(session.name() == null ? io.netty.buffer.Unpooled.wrappedBuffer(Replies.nil(session.version()))
                    : Replies.bulk(session.name().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } else if (command.argEqualsIgnoreCase(1, CLIENT_SETINFO) && command.argCount() == 4) {
            session.reply(Replies.OK);
        } else if (command.argEqualsIgnoreCase(1, CLIENT_INFO) && command.argCount() == 2) {
            session.reply(Replies.clientInfo(session));
        } else if (command.argEqualsIgnoreCase(1, CLIENT_TRACKING) || command.argEqualsIgnoreCase(1, CLIENT_REPLY)) {
            pin(session, command, Local.CLIENT, true);
        } else {
            forward(session, command);
        }
    }

    private void reset(ClientSession session) {
        session.unpinAndDropDedicated();
        session.database(initialDatabase);
        session.version(RespVersion.RESP2);
        session.name(null);
        session.authenticated(requirePass == null);
        session.reply(Replies.RESET);
    }

    private static long parseLong(RespCommand command, int arg) {
        return RespBytes.parseLong(command.frame(), command.frame().readerIndex() + command.argOffset(arg),
                command.argLength(arg));
    }

    private static NameIndex<Local> localIndex() {
        Map<String, Local> names = new HashMap<>();
        for (Local local : Local.values()) {
            names.put(local.name(), local);
        }
        names.put("WAITAOF", Local.WAIT);
        // Blocking commands pin by name too, so that they never block a shared lane even before the
        // command table is loaded, or when the upstream refuses COMMAND; the table's 'blocking'
        // flag covers the rest (modules).
        for (String blocking : new String[] {"BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN",
            "BZPOPMAX", "BZMPOP", "XREAD", "XREADGROUP"}) {
            names.put(blocking, Local.WAIT);
        }
        for (String streaming : new String[] {"PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE",
            "SUNSUBSCRIBE", "MONITOR"}) {
            names.put(streaming, Local.SUBSCRIBE);
        }
        names.put("POST", Local.CROSS_PROTOCOL);
        names.put("HOST:", Local.CROSS_PROTOCOL);
        names.put("SYNC", Local.REPLICATION);
        names.put("PSYNC", Local.REPLICATION);
        return new NameIndex<>(names);
    }

    private static byte[] upper(String ascii) {
        return ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
