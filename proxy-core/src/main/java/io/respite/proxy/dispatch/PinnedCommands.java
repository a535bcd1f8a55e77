package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.respite.proxy.command.CommandInfo;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.DedicatedConnection;
import io.respite.resp.RespCommand;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Commands on a client's dedicated upstream connection: moving onto it (after everything pending
 * on the shared lane was answered, so nothing overtakes), sending there while the client is
 * pinned, and keeping the client's {@link Pinning} state in step with what was sent and answered.
 * Writes still invalidate (when sent, and again when answered; a transaction's writes when EXEC is
 * answered). Blocking commands are sent untimed (they have timeouts of their own). Shared by every
 * client; stateless.
 */
final class PinnedCommands {

    private static final byte[] CLIENT_TRACKING = "TRACKING".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLIENT_REPLY = "REPLY".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] XREAD = "XREAD".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] XREADGROUP = "XREADGROUP".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BLOCK = "BLOCK".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] QUEUED = "+QUEUED\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXECABORT =
            "-EXECABORT Transaction discarded because of previous errors.\r\n".getBytes(StandardCharsets.US_ASCII);

    private static final String MAX_PINNED = "ERR max number of pinned connections reached: MULTI, WATCH, blocking "
            + "commands, pub/sub and MONITOR each need one (see --max-pinned)";
    private static final String NOT_QUEUED =
            "ERR not queued: the transaction could not begin (max number of pinned connections reached)";
    private static final String WATCH_NOT_KEPT =
            "ERR a WATCH of this connection could not be kept (max number of pinned connections reached): "
                    + "UNWATCH first";
    private static final byte[] EXEC = "EXEC".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DISCARD = "DISCARD".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNWATCH = "UNWATCH".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MONITOR = "MONITOR".getBytes(StandardCharsets.US_ASCII);
    /** Commands, beyond those {@link CommandKind} names, that change a connection's state. */
    private static final Set<String> CONNECTION_STATE = Set.of("readonly", "readwrite", "asking");

    private final WriteInvalidation invalidation;
    private final ConnectionCommands connectionCommands;
    private final boolean redactSecrets;

    /**
     * @param connection checks a SELECT queued inside MULTI as Redis will at EXEC
     * @param redactSecrets whether CONFIG GET replies must have the upstream's secrets redacted
     */
    PinnedCommands(WriteInvalidation invalidation, ConnectionCommands connection, boolean redactSecrets) {
        this.invalidation = invalidation;
        this.connectionCommands = connection;
        this.redactSecrets = redactSecrets;
    }

    /**
     * Moves the client onto a dedicated connection, leased for the state {@code command} opens,
     * and sends {@code command} there; first waits for every reply pending on the shared lane, so
     * nothing sent before can run after, and, when {@code --max-pinned} are busy, for a lease to
     * end (up to {@code --timeout}). Borrows {@code command}.
     */
    void pin(ClientContext client, RespCommand command, CommandKind kind, @Nullable CommandInfo info) {
        if (client.sink().hasPendingReplies()) {
            client.holdUntilDrained(command);
            return;
        }
        if (client.dedicated() == null) {
            if (client.awaitDedicated(command)) {
                return;
            }
            client.sink().replyError(MAX_PINNED);
            // Fail safe: what was meant for the transaction (or for the WATCH) must not run without it.
            if (kind == CommandKind.MULTI) {
                client.pinning().refuseTransaction();
            } else if (kind == CommandKind.WATCH) {
                client.pinning().refuseWatch();
            }
            return;
        }
        send(client, command, kind, info);
        // Nothing may have been sent (a command refused here): the lease ends at once.
        client.releaseIfUnpinned();
    }

    /**
     * A command of a client whose MULTI was refused: refused in turn, without running, up to EXEC
     * (which answers EXECABORT, as Redis does for a transaction whose queuing failed) or DISCARD.
     * QUIT and RESET never come here. Borrows {@code command}.
     */
    void refused(ClientContext client, RespCommand command, @Nullable CommandKind kind) {
        if (command.argEqualsIgnoreCase(0, EXEC)) {
            client.pinning().endRefusal();
            client.sink().reply(EXECABORT);
        } else if (command.argEqualsIgnoreCase(0, DISCARD)) {
            client.pinning().endRefusal();
            client.sink().reply(Replies.OK);
        } else if (kind == CommandKind.MULTI) {
            client.sink().replyError("ERR MULTI calls can not be nested");
        } else if (kind == CommandKind.WATCH) {
            client.sink().replyError("ERR WATCH inside MULTI is not allowed");
        } else {
            client.sink().replyError(NOT_QUEUED);
        }
    }

    /**
     * A command of a client whose WATCH was refused: a MULTI is refused too (the transaction could
     * not honour the WATCH), UNWATCH ends the refusal, and commands that would need a connection
     * of their own are refused; returns whether it answered the command, else the caller routes it
     * as usual. Borrows {@code command}.
     */
    boolean refusedWatchStands(ClientContext client, RespCommand command, @Nullable CommandKind kind) {
        if (kind == CommandKind.MULTI) {
            client.pinning().refuseTransaction();
            client.sink().replyError(WATCH_NOT_KEPT);
            return true;
        }
        if (command.argEqualsIgnoreCase(0, UNWATCH)) {
            client.pinning().endRefusal();
            client.sink().reply(Replies.OK);
            return true;
        }
        if (kind == CommandKind.WATCH
                || kind == CommandKind.BLOCKING
                || kind == CommandKind.RELAY
                || (kind == CommandKind.CLIENT && relaysClient(command))) {
            client.sink().replyError(WATCH_NOT_KEPT);
            return true;
        }
        return false;
    }

    /** True for CLIENT TRACKING and CLIENT REPLY: they turn the connection into a relay. */
    static boolean relaysClient(RespCommand command) {
        return command.argCount() > 1
                && (command.argEqualsIgnoreCase(1, CLIENT_TRACKING) || command.argEqualsIgnoreCase(1, CLIENT_REPLY));
    }

    /** Sends a command of a pinned client to its dedicated connection. Borrows {@code command}. */
    void send(ClientContext client, RespCommand command, @Nullable CommandKind kind, @Nullable CommandInfo info) {
        Pinning pinning = client.pinning();
        boolean relay = kind == CommandKind.RELAY || (kind == CommandKind.CLIENT && relaysClient(command));
        if (kind == CommandKind.CLIENT && command.argCount() > 1 && command.argEqualsIgnoreCase(1, CLIENT_REPLY)) {
            client.repliesSwitched();
        }
        boolean configGet = redactSecrets && CommandRouter.isConfigGet(info);
        if ((pinning.relaying() || relay) && configGet) {
            client.sink()
                    .replyError("ERR respite does not relay CONFIG GET on a connection in pub/sub, MONITOR or "
                            + "tracking mode: its reply could not be kept from showing the upstream's secrets");
            return;
        }
        DedicatedConnection connection = client.dedicated();
        if (connection == null) {
            client.sink().replyError(MAX_PINNED);
            return;
        }
        if (pinning.inTransaction()
                && pinning.transaction().failed()
                && info != null
                && info.name().equals("exec")) {
            abortTransaction(client, connection);
            return;
        }
        if (changesConnection(kind, info)) {
            client.dedicatedChanged();
        }
        if (kind == CommandKind.SELECT && pinning.inTransaction()) {
            int database = connectionCommands.selectable(command);
            if (database >= 0) {
                pinning.transaction().select(database);
            }
        }
        int database = pinning.inTransaction() ? pinning.transaction().database(client.database()) : client.database();
        boolean write = info != null && info.mayWrite();
        if (info != null && write) {
            invalidation.invalidate(database, command, info);
        }
        if (relay || pinning.relaying()) {
            if (kind == CommandKind.RELAY && command.argEqualsIgnoreCase(0, MONITOR)) {
                client.monitoring();
            }
            pinning.sent(Pinning.Sent.RELAY);
            connection.sendWithoutReply(client.database(), command.frame().retain(), client.relayTimed());
            return;
        }
        boolean timed = pinning.inTransaction() || !blocks(command, kind, info);
        ReplyCallback callback = settle(client, command, kind, info, write, configGet, database);
        connection.send(client.database(), command.frame().retain(), callback, timed);
    }

    /**
     * True when {@code command} may change the dedicated connection's state beyond what EXEC,
     * DISCARD and UNWATCH end: the pool then resets the connection when it is given back. A
     * command respite does not know (no table yet, a module's) counts as one.
     */
    private static boolean changesConnection(@Nullable CommandKind kind, @Nullable CommandInfo info) {
        if (kind != null) {
            return switch (kind) {
                case MULTI, WATCH, BLOCKING, GET, MGET, PING, ECHO -> false;
                default -> true;
            };
        }
        return info == null || CONNECTION_STATE.contains(info.name());
    }

    /**
     * Records what sending {@code command} does to the client's state, and returns the callback
     * that passes its reply on: redacted where it must be, with the keys of what it wrote (or a
     * finished transaction wrote) invalidated again in {@code database}, where it runs (or in the
     * databases where the transaction's writes ran), and the reply counted for the state machine.
     */
    private ReplyCallback settle(
            ClientContext client,
            RespCommand command,
            @Nullable CommandKind kind,
            @Nullable CommandInfo info,
            boolean write,
            boolean configGet,
            int database) {
        Pinning pinning = client.pinning();
        ReplyCallback slot = client.sink().replyLater();
        String name = info == null ? "" : info.name();
        boolean inTransaction = pinning.inTransaction();
        boolean exec = name.equals("exec");
        boolean endsTransaction = inTransaction && (exec || name.equals("discard"));
        IntList redact =
                exec && inTransaction ? new IntArrayList(pinning.transaction().configGets()) : null;
        List<QueuedTransaction.QueuedWrite> ended =
                endsTransaction ? pinning.transaction().takeWrites() : List.of();
        int selectedAtExec = exec && inTransaction ? pinning.transaction().selected() : -1;
        boolean queues = inTransaction && !endsTransaction && kind != CommandKind.MULTI && kind != CommandKind.WATCH;
        if (queues && write) {
            pinning.transaction().queueWrite(database, command);
        }
        RespCommand own = write && !inTransaction ? command.retain() : null;
        int epoch = pinning.sent(sentAs(kind, name));
        return new ReplyCallback() {
            @Override
            public void onReply(ByteBuf frame) {
                settleWrites();
                ByteBuf reply = frame;
                if (queues && isQueued(frame)) {
                    pinning.transaction().queued(configGet);
                } else if (redact != null && !redact.isEmpty()) {
                    reply = ConfigRedaction.redactElements(frame, redact);
                } else if (configGet && !inTransaction) {
                    reply = ConfigRedaction.redact(frame);
                }
                if (selectedAtExec >= 0 && ran(reply)) {
                    client.database(selectedAtExec);
                    DedicatedConnection held = client.leased();
                    if (held != null) {
                        held.selected(selectedAtExec);
                    }
                }
                slot.onReply(reply);
                client.replied(epoch);
            }

            @Override
            public void onFailure(String error) {
                settleWrites();
                slot.onFailure(error);
                client.replied(epoch);
            }

            /** The write happened (or may have): its keys, and a finished transaction's, leave the cache. */
            private void settleWrites() {
                if (own != null && info != null) {
                    try {
                        invalidation.invalidate(database, own, info);
                    } finally {
                        own.release();
                    }
                }
                for (QueuedTransaction.QueuedWrite queued : ended) {
                    try {
                        CommandInfo queuedInfo = client.router().lookup(queued.command());
                        if (queuedInfo != null) {
                            invalidation.invalidate(queued.database(), queued.command(), queuedInfo);
                        }
                    } finally {
                        queued.command().release();
                    }
                }
            }
        };
    }

    /** What a command sent on the dedicated connection is to the pinning state machine. */
    private static Pinning.Sent sentAs(@Nullable CommandKind kind, String name) {
        if (kind == CommandKind.MULTI) {
            return Pinning.Sent.MULTI;
        }
        if (kind == CommandKind.WATCH) {
            return Pinning.Sent.WATCH;
        }
        return switch (name) {
            case "exec" -> Pinning.Sent.EXEC;
            case "discard" -> Pinning.Sent.DISCARD;
            case "unwatch" -> Pinning.Sent.UNWATCH;
            default -> Pinning.Sent.OTHER;
        };
    }

    /**
     * True for a command that may rightly wait longer than --timeout for its reply, and so is sent
     * untimed: blocking commands (BLPOP, BRPOP, BLMOVE, BZPOPMIN, WAIT, WAITAOF..., and XREAD or
     * XREADGROUP with BLOCK), which have timeouts of their own.
     */
    private static boolean blocks(RespCommand command, @Nullable CommandKind kind, @Nullable CommandInfo info) {
        if (kind != CommandKind.BLOCKING && (info == null || !info.hasFlag("blocking"))) {
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
    private static void abortTransaction(ClientContext client, DedicatedConnection connection) {
        Pinning pinning = client.pinning();
        ReplyCallback slot = client.sink().replyLater();
        pinning.transaction().takeWrites().forEach(write -> write.command().release());
        int epoch = pinning.sent(Pinning.Sent.DISCARD);
        RespCommand discard = RespCommand.of("DISCARD");
        ByteBuf frame = discard.frame().retain();
        discard.release();
        connection.send(
                client.database(),
                frame,
                new ReplyCallback() {
                    @Override
                    public void onReply(ByteBuf reply) {
                        reply.release();
                        slot.onReply(Unpooled.wrappedBuffer(EXECABORT));
                        client.replied(epoch);
                    }

                    @Override
                    public void onFailure(String error) {
                        slot.onFailure(error);
                        client.replied(epoch);
                    }
                },
                true);
    }

    /**
     * True when {@code frame}, EXEC's reply, says the transaction ran: an array, not the null of a
     * failed WATCH nor an error. Borrows {@code frame}.
     */
    private static boolean ran(ByteBuf frame) {
        return frame.readableBytes() > 2
                && frame.getByte(frame.readerIndex()) == '*'
                && frame.getByte(frame.readerIndex() + 1) != '-';
    }

    /** True when {@code frame} is Redis's {@code +QUEUED}. Borrows {@code frame}. */
    private static boolean isQueued(ByteBuf frame) {
        return frame.readableBytes() == QUEUED.length
                && ByteBufUtil.equals(frame, frame.readerIndex(), Unpooled.wrappedBuffer(QUEUED), 0, QUEUED.length);
    }
}
