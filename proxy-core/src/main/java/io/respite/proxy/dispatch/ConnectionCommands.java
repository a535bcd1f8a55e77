package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respite.proxy.command.Catalog;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The connection commands respite answers itself, as Redis answers them: PING, ECHO, QUIT, AUTH,
 * HELLO, SELECT, RESET and the CLIENT subcommands that concern the client's own connection (ID,
 * SETNAME, GETNAME, SETINFO, INFO). Each reads and changes only the client's own
 * {@link ClientContext}. Shared by every client; stateless.
 */
final class ConnectionCommands {

    private static final byte[] CLIENT_ID = upper("ID");
    private static final byte[] CLIENT_SETNAME = upper("SETNAME");
    private static final byte[] CLIENT_GETNAME = upper("GETNAME");
    private static final byte[] CLIENT_SETINFO = upper("SETINFO");
    private static final byte[] CLIENT_INFO = upper("INFO");
    private static final byte[] HELLO_AUTH = upper("AUTH");
    private static final byte[] HELLO_SETNAME = upper("SETNAME");

    /** Redis's own default when the upstream's {@code databases} is not known yet. */
    private static final int DEFAULT_DATABASES = 16;

    private final AtomicReference<Catalog> catalog;
    private final @Nullable String requirePass;
    private final int initialDatabase;
    private final boolean cluster;
    /** Authentication by Redis ({@code --auth passthrough}), or null: by respite, against {@code requirePass}. */
    private final @Nullable UserAuth users;

    /**
     * @param catalog the upstream's catalog once loaded (its version for HELLO, its databases for SELECT)
     * @param requirePass the password clients must give, or null
     * @param initialDatabase the database clients start in, and return to on RESET
     * @param cluster whether the upstream is a Redis Cluster, where SELECT other than 0 is refused
     * @param users authentication by Redis ({@code --auth passthrough}), or null
     */
    ConnectionCommands(
            AtomicReference<Catalog> catalog,
            @Nullable String requirePass,
            int initialDatabase,
            boolean cluster,
            @Nullable UserAuth users) {
        this.catalog = catalog;
        this.requirePass = requirePass;
        this.initialDatabase = initialDatabase;
        this.cluster = cluster;
        this.users = users;
    }

    /** Whether a client must authenticate before anything else. */
    boolean authenticationRequired() {
        return requirePass != null || users != null;
    }

    void ping(ClientContext client, RespCommand command) {
        if (client.subscribed() && command.argCount() <= 2) {
            client.subscriptions().ping(subscribedPong(client, command));
            return;
        }
        switch (command.argCount()) {
            case 1 -> client.sink().reply(Replies.PONG);
            case 2 -> client.sink().reply(Replies.bulk(command.argBytes(1)));
            default -> client.sink().replyError(Replies.wrongArity("ping"));
        }
    }

    /**
     * Redis's answer to PING in subscribed mode: in RESP2, where such a connection carries only
     * arrays, {@code [pong, argument or ""]}; in RESP3 the usual answer.
     */
    private static ByteBuf subscribedPong(ClientContext client, RespCommand command) {
        if (client.version() == RespVersion.RESP3) {
            return command.argCount() == 2 ? Replies.bulk(command.argBytes(1)) : Unpooled.wrappedBuffer(Replies.PONG);
        }
        byte[] argument = command.argCount() == 2 ? command.argBytes(1) : new byte[0];
        ByteBuf pong = Unpooled.buffer(24 + argument.length);
        pong.writeCharSequence("*2\r\n$4\r\npong\r\n$" + argument.length + "\r\n", StandardCharsets.US_ASCII);
        pong.writeBytes(argument);
        pong.writeCharSequence("\r\n", StandardCharsets.US_ASCII);
        return pong;
    }

    void echo(ClientContext client, RespCommand command) {
        if (command.argCount() != 2) {
            client.sink().replyError(Replies.wrongArity("echo"));
            return;
        }
        client.sink().reply(Replies.bulk(command.argBytes(1)));
    }

    void quit(ClientContext client) {
        client.sink().reply(Replies.OK);
        client.sink().closeAfterReplies();
    }

    void auth(ClientContext client, RespCommand command) {
        if (command.argCount() < 2) {
            client.sink().replyError(Replies.wrongArity("auth"));
            return;
        }
        if (command.argCount() > 3) {
            client.sink().replyError("ERR syntax error");
            return;
        }
        if (users != null) {
            String user = command.argCount() == 3 ? command.argString(1) : "default";
            String secret = command.argString(command.argCount() - 1);
            if (users.authenticate(client, command, user, secret, command.argCount() == 2)
                    == UserAuth.Outcome.AUTHENTICATED) {
                client.sink().reply(Replies.OK);
            }
            return;
        }
        if (requirePass == null && command.argCount() == 2) {
            client.sink()
                    .replyError("ERR AUTH <password> called without any password configured for the default "
                            + "user. Are you sure your configuration is correct?");
            return;
        }
        String user = command.argCount() == 3 ? command.argString(1) : "default";
        String password = command.argString(command.argCount() - 1);
        if (!checkCredentials(user, password)) {
            client.sink().reply(Replies.WRONGPASS);
            return;
        }
        client.authenticated(true);
        client.sink().reply(Replies.OK);
    }

    /** respite has one user, {@code default}, whose password is --requirepass (any password when unset). */
    private boolean checkCredentials(String user, @Nullable String password) {
        return user.equals("default") && (requirePass == null || requirePass.equals(password));
    }

    /** Whether {@code command}, a HELLO, asks for a protocol other than the client's. */
    static boolean helloSwitchesProtocol(ClientContext client, RespCommand command) {
        if (command.argCount() < 2) {
            return false;
        }
        long protocol = command.argLong(1, Long.MIN_VALUE);
        return (protocol == 2 || protocol == 3) && (protocol == 3) != (client.version() == RespVersion.RESP3);
    }

    /**
     * The database a SELECT would switch to, as Redis checks it (arity, an integer, in range), or
     * -1 when Redis would refuse it.
     */
    int selectable(RespCommand command) {
        if (command.argCount() != 2) {
            return -1;
        }
        long database = command.argLong(1, Long.MIN_VALUE);
        Catalog known = catalog.get();
        int databases = known == null ? DEFAULT_DATABASES : known.databases();
        return database >= 0 && database < databases ? (int) database : -1;
    }

    void hello(ClientContext client, RespCommand command) {
        RespVersion version = client.version();
        int arg = 1;
        if (command.argCount() > 1) {
            long protocol = command.argLong(1, Long.MIN_VALUE);
            if (protocol == Long.MIN_VALUE) {
                client.sink().replyError("ERR Protocol version is not an integer or out of range");
                return;
            }
            if (protocol != 2 && protocol != 3) {
                client.sink().replyError("NOPROTO unsupported protocol version");
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
                    client.sink().replyError(Replies.BAD_CLIENT_NAME);
                    return;
                }
                arg += 1;
            } else {
                client.sink().replyError("ERR Syntax error in HELLO option '" + command.argString(arg) + "'");
                return;
            }
        }
        if (user != null && users != null) {
            if (users.authenticate(client, command, user, Objects.requireNonNull(password, "password"), false)
                    != UserAuth.Outcome.AUTHENTICATED) {
                return;
            }
        } else if (user != null) {
            if (!checkCredentials(user, password)) {
                client.sink().reply(Replies.WRONGPASS);
                return;
            }
            client.authenticated(true);
        }
        if (version != client.version() && client.sink().hasPendingReplies()) {
            // RESP2 and RESP3 commands travel on different upstream connections: let everything
            // sent so far be answered before switching, so nothing overtakes it.
            client.holdUntilDrained(command);
            return;
        }
        if (!client.authenticated()) {
            client.sink()
                    .replyError("NOAUTH HELLO must be called with the client already authenticated, otherwise "
                            + "the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select "
                            + "the RESP protocol version at the same time");
            return;
        }
        if (name != null) {
            client.name(name.isEmpty() ? null : name);
        }
        client.version(version);
        Catalog known = catalog.get();
        client.sink()
                .reply(Replies.hello(
                        version,
                        known == null ? "unknown" : known.version(),
                        client.sink().id()));
    }

    void select(ClientContext client, RespCommand command) {
        if (command.argCount() != 2) {
            client.sink().replyError(Replies.wrongArity("select"));
            return;
        }
        long database = command.argLong(1, Long.MIN_VALUE);
        if (database == Long.MIN_VALUE) {
            client.sink().replyError("ERR value is not an integer or out of range");
            return;
        }
        Catalog known = catalog.get();
        if ((cluster || (known != null && known.cluster())) && database != 0) {
            client.sink().replyError("ERR SELECT is not allowed in cluster mode");
            return;
        }
        int databases = known == null ? DEFAULT_DATABASES : known.databases();
        if (database < 0 || database >= databases) {
            client.sink().replyError("ERR DB index is out of range");
            return;
        }
        client.database((int) database);
        client.sink().reply(Replies.OK);
    }

    /**
     * The CLIENT subcommands about the client's own connection; returns false for the others
     * (TRACKING and REPLY relay, the rest is forwarded), which the router handles.
     */
    boolean client(ClientContext client, RespCommand command) {
        if (command.argCount() < 2) {
            client.sink().replyError(Replies.wrongArity("client"));
            return true;
        }
        if (command.argEqualsIgnoreCase(1, CLIENT_ID) && command.argCount() == 2) {
            client.sink().reply(Replies.integer(client.sink().id()));
        } else if (command.argEqualsIgnoreCase(1, CLIENT_SETNAME) && command.argCount() == 3) {
            String name = command.argString(2);
            if (!Replies.validClientName(name)) {
                client.sink().replyError(Replies.BAD_CLIENT_NAME);
                return true;
            }
            client.name(name.isEmpty() ? null : name);
            client.sink().reply(Replies.OK);
        } else if (command.argEqualsIgnoreCase(1, CLIENT_GETNAME) && command.argCount() == 2) {
            client.sink()
                    .reply(
                            client.name() == null
                                    ? Unpooled.wrappedBuffer(Replies.nil(client.version()))
                                    : Replies.bulk(client.name().getBytes(StandardCharsets.UTF_8)));
        } else if (command.argEqualsIgnoreCase(1, CLIENT_SETINFO) && command.argCount() == 4) {
            client.sink().reply(Replies.OK);
        } else if (command.argEqualsIgnoreCase(1, CLIENT_INFO) && command.argCount() == 2) {
            client.sink().reply(Replies.clientInfo(client));
        } else {
            return false;
        }
        return true;
    }

    /** RESET: the connection as new, its dedicated connection and everything on it dropped. */
    void reset(ClientContext client) {
        client.dropDedicated();
        if (client.subscribed()) {
            client.subscriptions().clear();
        }
        client.database(initialDatabase);
        client.version(RespVersion.RESP2);
        client.name(null);
        client.signOut();
        client.authenticated(!authenticationRequired());
        client.sink().reply(Replies.RESET);
    }

    private static byte[] upper(String ascii) {
        return ascii.getBytes(StandardCharsets.US_ASCII);
    }
}
