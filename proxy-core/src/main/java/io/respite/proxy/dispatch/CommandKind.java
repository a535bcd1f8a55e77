package io.respite.proxy.dispatch;

import io.respite.proxy.command.NameIndex;
import io.respite.resp.RespCommand;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The commands respite treats itself, by name; every other command is forwarded as it is. Known
 * without the upstream's command table, so that routing works before it is loaded.
 */
enum CommandKind {
    /** Answered here, as Redis answers them. */
    PING,
    ECHO,
    QUIT,
    HELLO,
    AUTH,
    SELECT,
    RESET,
    /** ID, SETNAME, GETNAME, SETINFO and INFO are answered here; TRACKING and REPLY relay; the rest is forwarded. */
    CLIENT,
    /** Answered from the cache when they can be. */
    GET,
    MGET,
    /** Open connection state that lasts until EXEC, DISCARD or UNWATCH: the client is pinned meanwhile. */
    MULTI,
    WATCH,
    /**
     * Block the connection until the upstream answers (BLPOP, WAIT...): pinned while they wait. By
     * name here, so that they never block a shared lane, even before the command table is loaded;
     * the table's {@code blocking} flag covers the rest (modules).
     */
    BLOCKING,
    /** SUBSCRIBE and friends: held for the client by a subscriber connection its loop shares. */
    PUBSUB,
    /** Turns the connection into a stream of frames (MONITOR): pinned for good, relayed. */
    RELAY,
    /** Replication streams cannot pass through a proxy. */
    REPLICATION,
    /** {@code POST} and {@code Host:}: an HTTP request, from a browser or a forged request; closes the client. */
    CROSS_PROTOCOL;

    private static final NameIndex<CommandKind> BY_NAME = index();

    private final String lowerName = name().toLowerCase(Locale.ROOT);

    /**
     * The name of {@code command}, lower case, without allocating for the kinds named after their
     * one command.
     */
    String commandName(RespCommand command) {
        return switch (this) {
            case PING, ECHO, QUIT, HELLO, AUTH, SELECT, RESET, CLIENT, GET, MGET, MULTI, WATCH -> lowerName;
            default -> command.argString(0).toLowerCase(Locale.ROOT);
        };
    }

    /** The kind of {@code command}, by its name; null for a command that is simply forwarded. */
    static @Nullable CommandKind of(RespCommand command) {
        return BY_NAME.get(command, 0);
    }

    private static NameIndex<CommandKind> index() {
        Map<String, CommandKind> names = new HashMap<>();
        for (CommandKind named :
                new CommandKind[] {PING, ECHO, QUIT, HELLO, AUTH, SELECT, RESET, CLIENT, GET, MGET, MULTI, WATCH}) {
            names.put(named.name(), named);
        }
        for (String blocking : new String[] {
            "BLPOP",
            "BRPOP",
            "BRPOPLPUSH",
            "BLMOVE",
            "BLMPOP",
            "BZPOPMIN",
            "BZPOPMAX",
            "BZMPOP",
            "XREAD",
            "XREADGROUP",
            "WAIT",
            "WAITAOF"
        }) {
            names.put(blocking, BLOCKING);
        }
        for (String pubSub :
                new String[] {"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"}) {
            names.put(pubSub, PUBSUB);
        }
        names.put("MONITOR", RELAY);
        names.put("SYNC", REPLICATION);
        names.put("PSYNC", REPLICATION);
        names.put("POST", CROSS_PROTOCOL);
        names.put("HOST:", CROSS_PROTOCOL);
        return new NameIndex<>(names);
    }
}
