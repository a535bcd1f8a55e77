package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.respite.resp.RespCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * respite's clients, for CLIENT LIST and CLIENT KILL: through respite those describe and end the
 * connections to respite, as CLIENT ID and CLIENT INFO do, since those are the clients' own.
 * A CLIENT KILL that matches none of them goes on to Redis (out of band), so an operator can still
 * end a connection to Redis by Redis's id or address.
 *
 * <p>Thread-safety: the map is concurrent. A line about another client reads that client's fields
 * from this thread, without a lock: each field is read whole, but fields may be from moments a
 * command apart, as informational output may be. Killing another client runs on its own loop.
 */
final class ClientRegistry {

    private final Map<Long, ClientContext> clients = new ConcurrentHashMap<>();

    void register(ClientContext client) {
        clients.put(client.sink().id(), client);
    }

    void forget(ClientContext client) {
        clients.remove(client.sink().id());
    }

    /** Clients connected now. */
    int size() {
        return clients.size();
    }

    /** CLIENT LIST [TYPE type] [ID id ...]: one line per client, as Redis's. Borrows {@code command}. */
    void list(ClientContext asking, RespCommand command) {
        String type = null;
        List<Long> ids = null;
        int i = 2;
        if (command.argCount() > 3 && command.argString(2).equalsIgnoreCase("type")) {
            type = command.argString(3).toLowerCase(Locale.ROOT);
            if (!List.of("normal", "master", "replica", "slave", "pubsub").contains(type)) {
                asking.sink().replyError("ERR Unknown client type '" + command.argString(3) + "'");
                return;
            }
            i = 4;
        } else if (command.argCount() > 3 && command.argString(2).equalsIgnoreCase("id")) {
            ids = new ArrayList<>();
            for (int at = 3; at < command.argCount(); at++) {
                long id = command.argLong(at, -1);
                if (id <= 0) {
                    asking.sink().replyError("ERR Invalid client ID");
                    return;
                }
                ids.add(id);
            }
            i = command.argCount();
        }
        if (i != command.argCount()) {
            asking.sink().replyError("ERR syntax error");
            return;
        }
        StringBuilder lines = new StringBuilder();
        for (ClientContext client : clients.values()) {
            if ((ids == null || ids.contains(client.sink().id())) && (type == null || type.equals(typeOf(client)))) {
                lines.append(Replies.clientLine(client));
            }
        }
        ByteBuf reply = Replies.clientText(asking, lines.toString());
        asking.sink().reply(reply);
    }

    /**
     * CLIENT KILL, when it concerns respite's clients: the old form {@code CLIENT KILL addr:port}
     * and the filters ID, ADDR, LADDR, TYPE and SKIPME. Returns false, having answered nothing,
     * when no client of respite matches (or a filter respite does not judge is used): the caller
     * sends it on to Redis. Borrows {@code command}.
     */
    boolean kill(ClientContext asking, RespCommand command) {
        if (command.argCount() == 3) {
            String address = command.argString(2);
            List<ClientContext> matched = matching(asking, null, address, null, null, false);
            if (matched.isEmpty()) {
                return false;
            }
            matched.forEach(ClientRegistry::close);
            asking.sink().reply(Replies.OK);
            return true;
        }
        if (command.argCount() < 4 || command.argCount() % 2 != 0) {
            return false;
        }
        Long id = null;
        String address = null;
        String local = null;
        String type = null;
        boolean skipMe = true;
        for (int i = 2; i < command.argCount(); i += 2) {
            String filter = command.argString(i).toLowerCase(Locale.ROOT);
            String value = command.argString(i + 1);
            switch (filter) {
                case "id" -> id = command.argLong(i + 1, -1);
                case "addr" -> address = value;
                case "laddr" -> local = value;
                case "type" -> type = value.toLowerCase(Locale.ROOT);
                case "skipme" -> skipMe = !value.equalsIgnoreCase("no");
                default -> {
                    return false;
                }
            }
        }
        List<ClientContext> matched = matching(asking, id, address, local, type, !skipMe);
        if (matched.isEmpty()) {
            return false;
        }
        matched.forEach(ClientRegistry::close);
        asking.sink().reply(Replies.integer(matched.size()));
        return true;
    }

    private List<ClientContext> matching(
            ClientContext asking,
            @Nullable Long id,
            @Nullable String address,
            @Nullable String local,
            @Nullable String type,
            boolean includeMe) {
        List<ClientContext> matched = new ArrayList<>();
        for (ClientContext client : clients.values()) {
            if ((client != asking || includeMe)
                    && (id == null || client.sink().id() == id)
                    && (address == null
                            || address.equals(Replies.address(client.sink().remoteAddress())))
                    && (local == null
                            || local.equals(Replies.address(client.sink().localAddress())))
                    && (type == null || type.equals(typeOf(client)))) {
                matched.add(client);
            }
        }
        return matched;
    }

    /** Closes a client's connection on its own loop, as Redis closes a killed client. */
    private static void close(ClientContext client) {
        client.lane().loop().execute(() -> client.sink().abort());
    }

    private static String typeOf(ClientContext client) {
        return client.subscribed() ? "pubsub" : "normal";
    }
}
