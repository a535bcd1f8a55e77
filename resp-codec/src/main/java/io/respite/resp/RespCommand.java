package io.respite.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.AbstractReferenceCounted;
import io.respite.resp.internal.RespBytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A client request: its arguments (the command name first) and the request as a RESP array of
 * bulk strings, ready to forward upstream unchanged.
 *
 * <p>Zero-copy: a command holds one retained slice of the bytes it was decoded from (its
 * {@link #frame()}) and the offset and length of each argument inside it, so decoding allocates
 * nothing per argument. An inline command ({@code GET foo}) is re-encoded into a RESP array once,
 * so every command forwards the same way.
 *
 * <p>Reference counted: it owns one reference to its frame. Argument views handed out by
 * {@link #arg(int)} are valid only while the command is not released. Not thread-safe.
 */
public final class RespCommand extends AbstractReferenceCounted {

    private final ByteBuf frame;
    /** Argument i starts at {@code bounds[2i]} and has length {@code bounds[2i + 1]}, relative to the frame. */
    private final int[] bounds;

    private final int argCount;
    private final boolean inline;

    /**
     * Takes ownership of {@code frame}. {@code bounds} holds offset and length pairs into the frame
     * and is kept, not copied.
     */
    public RespCommand(ByteBuf frame, int[] bounds, int argCount, boolean inline) {
        if (argCount < 1 || bounds.length < 2 * argCount) {
            frame.release();
            throw new IllegalArgumentException(
                    "argCount: " + argCount + " (expected: >= 1 and <= " + bounds.length / 2 + ")");
        }
        this.frame = frame;
        this.bounds = bounds;
        this.argCount = argCount;
        this.inline = inline;
    }

    /**
     * Encodes {@code args} (UTF-8) as a RESP array into a new heap buffer: for tests and for the
     * commands respite issues itself.
     */
    public static RespCommand of(String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return of(bytes);
    }

    /** Encodes {@code args} as a RESP array into a new heap buffer. */
    public static RespCommand of(byte[]... args) {
        ByteBuf frame = Unpooled.buffer();
        int[] bounds = new int[2 * args.length];
        RespBytes.writeHeader(frame, RespBytes.ARRAY, args.length);
        for (int i = 0; i < args.length; i++) {
            RespBytes.writeHeader(frame, RespBytes.BULK, args[i].length);
            bounds[2 * i] = frame.writerIndex();
            bounds[2 * i + 1] = args[i].length;
            frame.writeBytes(args[i]).writeShort(RespBytes.CRLF_SHORT);
        }
        return new RespCommand(frame, bounds, args.length, false);
    }

    public int argCount() {
        return argCount;
    }

    /** True when the client sent this command inline ({@code GET foo\r\n}), not as a RESP array. */
    public boolean isInline() {
        return inline;
    }

    /**
     * The whole request as a RESP array of bulk strings: the client's bytes for a RESP request,
     * the re-encoding for an inline one. Borrowed: valid while this command is not released; the
     * caller retains it to keep it longer.
     */
    public ByteBuf frame() {
        return frame;
    }

    public int argLength(int index) {
        return bounds[2 * checkIndex(index) + 1];
    }

    /** Offset of argument {@code index} inside {@link #frame()}, relative to its reader index. */
    public int argOffset(int index) {
        return bounds[2 * checkIndex(index)];
    }

    /** A view of argument {@code index}; borrowed, not retained: valid while this command is not released. */
    public ByteBuf arg(int index) {
        return frame.slice(frame.readerIndex() + argOffset(index), argLength(index));
    }

    /** A copy of argument {@code index}. */
    public byte[] argBytes(int index) {
        byte[] copy = new byte[argLength(index)];
        frame.getBytes(frame.readerIndex() + argOffset(index), copy);
        return copy;
    }

    /** Argument {@code index} decoded as UTF-8. */
    public String argString(int index) {
        return frame.toString(frame.readerIndex() + argOffset(index), argLength(index), StandardCharsets.UTF_8);
    }

    /**
     * Argument {@code index} as a decimal integer read as strictly as Redis reads one (no sign but
     * {@code -}, no leading zeros, no spaces, no overflow), or {@code otherwise} when it is not one.
     */
    public long argLong(int index, long otherwise) {
        long value = RespBytes.parseLong(frame, frame.readerIndex() + argOffset(index), argLength(index));
        return value == RespBytes.NOT_A_NUMBER ? otherwise : value;
    }

    /** Copies argument {@code index} into {@code dst} at {@code dstIndex}; returns its length. */
    public int copyArg(int index, byte[] dst, int dstIndex) {
        int length = argLength(index);
        frame.getBytes(frame.readerIndex() + argOffset(index), dst, dstIndex, length);
        return length;
    }

    /**
     * True when argument {@code index} equals {@code upperAscii} ignoring ASCII case: command and
     * option names ({@code GET}, {@code EX}) without allocating. {@code upperAscii} must be upper case.
     */
    public boolean argEqualsIgnoreCase(int index, byte[] upperAscii) {
        int length = argLength(index);
        if (length != upperAscii.length) {
            return false;
        }
        int start = frame.readerIndex() + argOffset(index);
        for (int i = 0; i < length; i++) {
            int b = frame.getByte(start + i);
            if (b >= 'a' && b <= 'z') {
                b -= 'a' - 'A';
            }
            if (b != upperAscii[i]) {
                return false;
            }
        }
        return true;
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= argCount) {
            throw new IndexOutOfBoundsException("index: " + index + " (expected: 0.." + (argCount - 1) + ")");
        }
        return index;
    }

    @Override
    public RespCommand retain() {
        super.retain();
        return this;
    }

    @Override
    public RespCommand touch(Object hint) {
        frame.touch(hint);
        return this;
    }

    @Override
    protected void deallocate() {
        frame.release();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RespCommand other) || other.argCount != argCount) {
            return false;
        }
        for (int i = 0; i < argCount; i++) {
            if (argLength(i) != other.argLength(i)
                    || !ByteBufUtil.equals(
                            frame,
                            frame.readerIndex() + argOffset(i),
                            other.frame,
                            other.frame.readerIndex() + other.argOffset(i),
                            argLength(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = argCount;
        for (int i = 0; i < argCount; i++) {
            h = 31 * h + Arrays.hashCode(argBytes(i));
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("RespCommand[");
        for (int i = 0; i < argCount; i++) {
            s.append(i == 0 ? "" : " ").append(argString(i));
        }
        return s.append(']').toString();
    }
}
