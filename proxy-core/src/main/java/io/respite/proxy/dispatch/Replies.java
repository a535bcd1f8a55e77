package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.respite.proxy.pubsub.Kind;
import io.respite.resp.RespType;
import io.respite.resp.RespVersion;
import io.respite.resp.codec.RespWriter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Replies respite writes itself, in Redis's exact words. */
final class Replies {

    static final byte[] OK = ascii("+OK\r\n");
    static final byte[] PONG = ascii("+PONG\r\n");
    static final byte[] RESET = ascii("+RESET\r\n");
    static final byte[] NOAUTH = ascii("-NOAUTH Authentication required.\r\n");
    static final byte[] WRONGPASS = ascii("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    static final String BAD_CLIENT_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";

    private static final byte[] NIL_RESP2 = ascii("$-1\r\n");
    private static final byte[] NIL_RESP3 = ascii("_\r\n");
    private static final byte[] VERBATIM_TEXT = ascii("txt:");
    private static final byte[] CRLF = ascii("\r\n");

    private Replies() {}

    static String wrongArity(String command) {
        return "ERR wrong number of arguments for '" + command + "' command";
    }

    static byte[] nil(RespVersion version) {
        return version == RespVersion.RESP3 ? NIL_RESP3 : NIL_RESP2;
    }

    /** A bulk string reply around {@code value}; returns a new buffer the caller owns. */
    static ByteBuf bulk(byte[] value) {
        ByteBuf out = Unpooled.buffer(value.length + 16);
        RespWriter.writeBulk(out, value);
        return out;
    }

    /** A bulk string reply around {@code value}, as bytes: for constant replies. */
    static byte[] bulkBytes(byte[] value) {
        ByteBuf buf = bulk(value);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    static ByteBuf integer(long value) {
        ByteBuf out = Unpooled.buffer(24);
        RespWriter.writeHeader(out, RespType.INTEGER, value);
        return out;
    }

    /** Redis accepts printable ASCII without spaces (33 to 126), or the empty name. */
    static boolean validClientName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '!' || c > '~') {
                return false;
            }
        }
        return true;
    }

    /** HELLO's reply: a map in RESP3, a flat array in RESP2, with the upstream's version. */
    static ByteBuf hello(RespVersion version, String serverVersion, long id) {
        ByteBuf out = Unpooled.buffer(160);
        boolean resp3 = version == RespVersion.RESP3;
        RespWriter.writeHeader(out, resp3 ? RespType.MAP : RespType.ARRAY, resp3 ? 7 : 14);
        field(out, "server", "redis");
        field(out, "version", serverVersion);
        bulkText(out, "proto");
        RespWriter.writeHeader(out, RespType.INTEGER, resp3 ? 3 : 2);
        bulkText(out, "id");
        RespWriter.writeHeader(out, RespType.INTEGER, id);
        field(out, "mode", "standalone");
        field(out, "role", "master");
        bulkText(out, "modules");
        RespWriter.writeHeader(out, RespType.ARRAY, 0);
        return out;
    }

    /**
     * CLIENT INFO: the fields Redis gives that respite knows, in Redis's format; like Redis, a
     * verbatim string ({@code txt}) in RESP3 and a bulk string in RESP2.
     */
    static ByteBuf clientInfo(ClientContext client) {
        return clientText(client, clientLine(client));
    }

    /**
     * One line of CLIENT LIST or CLIENT INFO about {@code client}, with the fields Redis 7 gives, in
     * its order; those that describe Redis's own buffers (qbuf, omem...) are 0, and fd is -1, as
     * Redis gives for a connection without a socket of its own.
     */
    static String clientLine(ClientContext client) {
        long now = System.nanoTime();
        ClientSubscriptions subscriptions = client.subscribed() ? client.subscriptions() : null;
        return "id=" + client.sink().id() + " addr=" + address(client.sink().remoteAddress())
                + " laddr=" + address(client.sink().localAddress()) + " fd=-1 name="
                + (client.name() == null ? "" : client.name())
                + " age=" + TimeUnit.NANOSECONDS.toSeconds(now - client.connectedAtNanos())
                + " idle=" + TimeUnit.NANOSECONDS.toSeconds(now - client.lastCommandNanos())
                + " flags=" + client.flags() + " db=" + client.database()
                + " sub=" + (subscriptions == null ? 0 : subscriptions.size(Kind.CHANNEL))
                + " psub=" + (subscriptions == null ? 0 : subscriptions.size(Kind.PATTERN))
                + " ssub=" + (subscriptions == null ? 0 : subscriptions.size(Kind.SHARD))
                + " multi="
                + (client.pinning().inTransaction()
                        ? client.pinning().transaction().queuedCount()
                        : -1)
                + " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r"
                + " cmd=" + client.lastCommand() + " user=" + client.userName() + " redir=-1 resp="
                + (client.version() == RespVersion.RESP3 ? 3 : 2) + " lib-name= lib-ver=\n";
    }

    /** CLIENT INFO's and CLIENT LIST's text: a bulk string, or in RESP3 a verbatim one, as Redis's. */
    static ByteBuf clientText(ClientContext client, String line) {
        byte[] text = line.getBytes(StandardCharsets.UTF_8);
        if (client.version() != RespVersion.RESP3) {
            return bulk(text);
        }
        ByteBuf out = Unpooled.buffer(text.length + 24);
        RespWriter.writeHeader(out, RespType.VERBATIM_STRING, text.length + 4);
        out.writeBytes(VERBATIM_TEXT).writeBytes(text);
        return out.writeBytes(CRLF);
    }

    static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    private static void field(ByteBuf out, String key, String value) {
        bulkText(out, key);
        bulkText(out, value);
    }

    private static void bulkText(ByteBuf out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        RespWriter.writeBulk(out, bytes);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
