package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Redis's MONITOR lines, {@code +1700000000.123456 [5 127.0.0.1:40000] "SELECT" "5"}: which ones
 * a client monitoring through respite must not see. Stateless.
 */
final class MonitorLines {

    /** The command part of a SELECT's line: the closing bracket of the client, then the name. */
    private static final ByteBuf SELECT =
            Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer("] \"SELECT\" ".getBytes(StandardCharsets.US_ASCII)));

    private MonitorLines() {}

    /** True when {@code frame} is a monitor line of a SELECT. Borrows {@code frame}. */
    static boolean isSelect(ByteBuf frame) {
        return frame.isReadable()
                && frame.getByte(frame.readerIndex()) == '+'
                && ByteBufUtil.indexOf(SELECT.duplicate(), frame) >= 0;
    }
}
