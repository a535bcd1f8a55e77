package io.respite.proxy.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ByteProcessor;
import io.respite.resp.RespCommand;
import io.respite.resp.RespType;
import io.respite.resp.codec.RespWriter;
import java.util.List;

/**
 * Requests as the lanes carry them (a RESP array of bulk strings, the client's bytes or respite's
 * own re-encoding): read back into a {@link RespCommand} to find their keys, and cut into the
 * part of a multi-key command that one node serves. Stateless.
 */
final class Requests {

    private Requests() {}

    /**
     * A command view of {@code frame}, a complete request. Retains {@code frame} once for the view,
     * which the caller releases; the caller's own reference is untouched.
     */
    static RespCommand parse(ByteBuf frame) {
        int at = frame.readerIndex();
        int cr = frame.forEachByte(at, frame.writerIndex() - at, ByteProcessor.FIND_CR);
        int count = (int) number(frame, at + 1, cr);
        int[] bounds = new int[2 * count];
        at = cr + 2;
        for (int i = 0; i < count; i++) {
            cr = frame.forEachByte(at, frame.writerIndex() - at, ByteProcessor.FIND_CR);
            int length = (int) number(frame, at + 1, cr);
            bounds[2 * i] = cr + 2 - frame.readerIndex();
            bounds[2 * i + 1] = length;
            at = cr + 2 + length + 2;
        }
        return new RespCommand(frame.retain(), bounds, count, false);
    }

    private static long number(ByteBuf frame, int from, int cr) {
        long value = 0;
        for (int i = from; i < cr; i++) {
            value = value * 10 + (frame.getByte(i) - '0');
        }
        return value;
    }

    /**
     * A new request made of {@code command}'s name followed, for each start index in {@code parts},
     * by the {@code width} arguments from there (a key, or a key and its value). The caller owns
     * the returned frame. Borrows {@code command}.
     */
    static ByteBuf subset(ByteBufAllocator alloc, RespCommand command, List<Integer> parts, int width) {
        ByteBuf out = alloc.directBuffer();
        RespWriter.writeHeader(out, RespType.ARRAY, 1 + (long) parts.size() * width);
        copyArg(out, command, 0);
        for (int start : parts) {
            for (int i = start; i < start + width; i++) {
                copyArg(out, command, i);
            }
        }
        return out;
    }

    private static void copyArg(ByteBuf out, RespCommand command, int index) {
        RespWriter.writeHeader(out, RespType.BULK_STRING, command.argLength(index));
        out.writeBytes(
                command.frame(), command.frame().readerIndex() + command.argOffset(index), command.argLength(index));
        out.writeByte('\r').writeByte('\n');
    }

    /**
     * A new request: {@code command} with argument {@code index} replaced by {@code value}. The
     * caller owns the returned frame. Borrows {@code command}.
     */
    static ByteBuf withArg(ByteBufAllocator alloc, RespCommand command, int index, byte[] value) {
        ByteBuf out = alloc.directBuffer();
        RespWriter.writeHeader(out, RespType.ARRAY, command.argCount());
        for (int i = 0; i < command.argCount(); i++) {
            if (i == index) {
                RespWriter.writeHeader(out, RespType.BULK_STRING, value.length);
                out.writeBytes(value).writeByte('\r').writeByte('\n');
            } else {
                copyArg(out, command, i);
            }
        }
        return out;
    }
}
