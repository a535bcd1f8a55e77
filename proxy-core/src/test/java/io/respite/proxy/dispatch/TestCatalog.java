package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.respite.proxy.command.Catalog;
import io.respite.proxy.command.CommandTable;
import io.respite.resp.RespMessage;
import io.respite.resp.codec.RespReplyDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A small command table, written as Redis's {@code COMMAND} reply describes these commands
 * (legacy key positions), for routing tests that run without a Redis. CommandTableIT checks the
 * real table against Redis.
 */
final class TestCatalog {

    private TestCatalog() {}

    static Catalog catalog() {
        String reply = "*14\r\n"
                + entry("get", 2, "readonly", 1, 1, 1)
                + entry("mget", -2, "readonly", 1, -1, 1)
                + entry("set", -3, "write", 1, 1, 1)
                + entry("del", -2, "write", 1, -1, 1)
                + entry("move", 3, "write", 1, 1, 1)
                + entry("flushall", -1, "write", 0, 0, 0)
                + entry("multi", 1, "fast", 0, 0, 0)
                + entry("exec", 1, "noscript", 0, 0, 0)
                + entry("discard", 1, "fast", 0, 0, 0)
                + entry("watch", -2, "fast", 1, -1, 1)
                + entry("unwatch", 1, "fast", 0, 0, 0)
                + entry("blpop", -3, "blocking", 1, -2, 1)
                + entry("xread", -4, "blocking", 0, 0, 0)
                + "*10\r\n$6\r\nconfig\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*0\r\n*0\r\n*0\r\n*1\r\n"
                + entry("config|get", -3, "admin", 0, 0, 0);
        ByteBuf frame = Unpooled.copiedBuffer(reply, StandardCharsets.UTF_8);
        RespMessage message = RespReplyDecoder.parseFrame(frame);
        try {
            return new Catalog(CommandTable.parse(message), "7.0.15", 16);
        } finally {
            frame.release();
            ReferenceCountUtil.release(message);
        }
    }

    private static String entry(String name, int arity, String flag, int first, int last, int step) {
        return "*6\r\n$" + name.length() + "\r\n" + name + "\r\n:" + arity + "\r\n*1\r\n+" + flag + "\r\n:" + first
                + "\r\n:" + last + "\r\n:" + step + "\r\n";
    }
}
