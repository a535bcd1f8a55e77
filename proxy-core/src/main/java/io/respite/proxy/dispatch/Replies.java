package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.respite.proxy.session.ClientSession;
import io.respite.resp.RespVersion;
import io.respite.resp.internal.RespBytes;
import java.nio.charset.StandardCharsets;

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

    private Replies() {
    }

    static String wrongArity(String command) {
        return "ERR wrong number of arguments for '" + command + "' command";
    }

    static byte[] nil(RespVersion version) {
        return version == RespVersion.RESP3 ? NIL_RESP3 : NIL_RESP2;
    }

    /** A bulk string reply around {@code value}; returns a new buffer the caller owns. */
    static ByteBuf bulk(byte[] value) {
        ByteBuf out = Unpooled.buffer(value.length + 16);
        RespBytes.writeHeader(out, RespBytes.BULK, value.length);
        return out.writeBytes(value).writeShort(RespBytes.CRLF_SHORT);
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
        RespBytes.writeHeader(out, (byte) ':', value);
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
        RespBytes.writeHeader(out, resp3 ? (byte) '%' : RespBytes.ARRAY, resp3 ? 7 : 14);
        field(out, "server", "redis");
        field(out, "version", serverVersion);
        bulkText(out, "proto");
        RespBytes.writeHeader(out, (byte) ':', resp3 ? 3 : 2);
        bulkText(out, "id");
        RespBytes.writeHeader(out, (byte) ':', id);
        field(out, "mode", "standalone");
        field(out, "role", "master");
        bulkText(out, "modules");
        RespBytes.writeHeader(out, RespBytes.ARRAY, 0);
        return out;
    }

    /**
     * CLIENT INFO: the fields Redis gives that respite knows, in Redis's format; like Redis, a
     * verbatim string ({@code txt}) in RESP3 and a bulk string in RESP2.
     */
    static ByteBuf clientInfo(ClientSession session) {
        String line = "id=" + session.id() + " addr=" + address(session.channel().remoteAddress())
                + " laddr=" + address(session.channel().localAddress()) + " name="
                + (session.name() == null ? "" : session.name()) + " db=" + session.database()
                + " resp=" + (session.version() == RespVersion.RESP3 ? 3 : 2) + " lib-name= lib-ver=\n";
        byte[] text = line.getBytes(StandardCharsets.UTF_8);
        if (session.version() != RespVersion.RESP3) {
            return bulk(text);
        }
        ByteBuf out = Unpooled.buffer(text.length + 24);
        RespBytes.writeHeader(out, (byte) '=', text.length + 4);
        out.writeBytes(VERBATIM_TEXT);
        return out.writeBytes(text).writeShort(RespBytes.CRLF_SHORT);
    }


    private static String address(java.net.SocketAddress address) {
        if (address instanceof java.net.InetSocketAddress inet) {
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
        RespBytes.writeHeader(out, RespBytes.BULK, bytes.length);
        out.writeBytes(bytes).writeShort(RespBytes.CRLF_SHORT);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
