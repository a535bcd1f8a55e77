package io.respite.resp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import io.respite.resp.RespCommand;
import io.respite.resp.RespLimits;
import io.respite.resp.internal.RespBytes;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes client requests, RESP arrays of bulk strings and inline commands, pipelined and split
 * at any byte, into {@link RespCommand}s. Malformed or over-limit input produces one {@link
 * RespProtocolError} with Redis 7's wording, after which everything is discarded.
 *
 * <p>Zero-copy: bytes of a request are not consumed until the request is complete; then one
 * retained slice of the whole request becomes the command's frame and the arguments are offsets
 * into it. Progress is remembered as an offset from the reader index, so a request arriving in
 * many reads is scanned once, not once per read.
 *
 * <p>Before authentication ({@link #requireAuthentication}), Redis's tighter limits apply: at most
 * {@value #UNAUTHENTICATED_MAX_ARGS} arguments and {@value #UNAUTHENTICATED_MAX_BULK_BYTES}-byte
 * arguments, and requests are handed on one per decode call, so that an AUTH takes effect before
 * the next pipelined request is parsed.
 *
 * <p>Differences from Redis, both deliberate: the two bytes after a bulk argument must be CRLF
 * (Redis skips them unchecked; a mismatch here means the declared length was wrong and is
 * reported as {@code invalid bulk length}), and a header line's CR must be followed by LF
 * (reported as an invalid length of that header).
 */
public final class RespRequestDecoder extends ByteToMessageDecoder {

    private enum State {
        /** Waiting for the first byte of a request: '*' opens an array, anything else a line. */
        START,
        /** {@code <args>\n}: waiting for LF within maxInlineBytes. */
        INLINE,
        /** {@code *<count>\r\n}: waiting for CR within maxInlineBytes. */
        ARRAY_HEADER,
        /** {@code $<length>\r\n}: waiting for '$', then CR within maxInlineBytes. */
        BULK_HEADER,
        /** {@code <length bytes>\r\n}: waiting for the argument and its CRLF. */
        BULK_DATA,
        /** A protocol error was emitted: discard all input. */
        BAD_MESSAGE
    }

    /** Arguments of a typical request; the bounds array grows past this as needed. */
    private static final int INITIAL_ARGS = 8;

    /** Most arguments of a request before authentication, as Redis. */
    public static final int UNAUTHENTICATED_MAX_ARGS = 10;
    /** Longest argument before authentication, in bytes, as Redis. */
    public static final int UNAUTHENTICATED_MAX_BULK_BYTES = 16 * 1024;

    private final RespLimits limits;
    private boolean unauthenticated;
    private State state = State.START;
    /** Bytes of the current request examined so far, counted from the reader index. */
    private int scanned;
    /**
     * How far the search for the current line's terminator (LF inline, CR in headers) has already
     * looked, counted from the reader index: a line trickling in byte by byte is searched once.
     */
    private int lineSearched;

    private long argsRemaining;
    private int bulkLength;
    private int argCount;
    private int[] bounds = new int[2 * INITIAL_ARGS];

    public RespRequestDecoder() {
        this(RespLimits.DEFAULT);
    }

    public RespRequestDecoder(RespLimits limits) {
        this.limits = limits;
        setCumulator(
                new RespCumulator(() -> state == State.BULK_DATA && bulkLength >= RespCumulator.COMPOSE_FROM_BYTES));
    }

    /**
     * Whether the client still has to authenticate; while it does, the tighter limits apply.
     * Call on the channel's event loop.
     */
    public RespRequestDecoder requireAuthentication(boolean required) {
        this.unauthenticated = required;
        return this;
    }

    /** Borrows {@code in} (the cumulation, owned by {@link ByteToMessageDecoder}). */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        for (; ; ) {
            switch (state) {
                case START -> {
                    if (!in.isReadable()) {
                        return;
                    }
                    state = in.getByte(in.readerIndex()) == RespBytes.ARRAY ? State.ARRAY_HEADER : State.INLINE;
                    scanned = state == State.ARRAY_HEADER ? 1 : 0;
                    lineSearched = scanned;
                }
                case INLINE -> {
                    if (!decodeInline(ctx, in, out)) {
                        return;
                    }
                }
                case ARRAY_HEADER -> {
                    if (!decodeArrayHeader(in, out)) {
                        return;
                    }
                }
                case BULK_HEADER -> {
                    if (!decodeBulkHeader(in, out)) {
                        return;
                    }
                }
                case BULK_DATA -> {
                    if (!decodeBulkData(in, out)) {
                        return;
                    }
                }
                case BAD_MESSAGE -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                default -> throw new IllegalStateException("unknown state " + state);
            }
        }
    }

    // <args>\n <here>
    private boolean decodeInline(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int lf = in.indexOf(start + lineSearched, in.writerIndex(), RespBytes.LF);
        if (lf < 0) {
            lineSearched = in.readableBytes();
            if (in.readableBytes() > limits.maxInlineBytes()) {
                return fail(in, out, "ERR Protocol error: too big inline request");
            }
            return false;
        }
        int lineEnd = lf > start && in.getByte(lf - 1) == RespBytes.CR ? lf - 1 : lf;
        List<byte[]> args = InlineSplitter.split(in, start, lineEnd - start);
        if (args == null) {
            return fail(in, out, "ERR Protocol error: unbalanced quotes in request");
        }
        in.readerIndex(lf + 1);
        state = State.START;
        if (!args.isEmpty()) {
            out.add(encodeInline(ctx, args));
            return !unauthenticated;
        }
        return true;
    }

    private static RespCommand encodeInline(ChannelHandlerContext ctx, List<byte[]> args) {
        int size = 16;
        for (byte[] arg : args) {
            size += arg.length + 16;
        }
        ByteBuf frame = ctx.alloc().buffer(size);
        int[] argBounds = new int[2 * args.size()];
        RespBytes.writeHeader(frame, RespBytes.ARRAY, args.size());
        for (int i = 0; i < args.size(); i++) {
            byte[] arg = args.get(i);
            RespBytes.writeHeader(frame, RespBytes.BULK, arg.length);
            argBounds[2 * i] = frame.writerIndex();
            argBounds[2 * i + 1] = arg.length;
            frame.writeBytes(arg).writeShort(RespBytes.CRLF_SHORT);
        }
        return new RespCommand(frame, argBounds, args.size(), true);
    }

    // *<count>\r\n <here>
    private boolean decodeArrayHeader(ByteBuf in, List<Object> out) {
        int lineStart = in.readerIndex() + scanned;
        int cr = findCr(in);
        if (cr < 0) {
            if (in.writerIndex() - lineStart > limits.maxInlineBytes()) {
                return fail(in, out, "ERR Protocol error: too big mbulk count string");
            }
            return false;
        }
        if (cr + 1 >= in.writerIndex()) {
            return false;
        }
        long count = RespBytes.parseLong(in, lineStart, cr - lineStart);
        if (in.getByte(cr + 1) != RespBytes.LF
                || count == RespBytes.NOT_A_NUMBER
                || count > limits.maxAggregateElements()) {
            return fail(in, out, "ERR Protocol error: invalid multibulk length");
        }
        if (unauthenticated && count > UNAUTHENTICATED_MAX_ARGS) {
            return fail(in, out, "ERR Protocol error: unauthenticated multibulk length");
        }
        if (count <= 0) {
            // Redis ignores empty and negative arrays without a reply.
            in.readerIndex(cr + 2);
            state = State.START;
            return true;
        }
        scanned = cr + 2 - in.readerIndex();
        lineSearched = scanned;
        argsRemaining = count;
        argCount = 0;
        state = State.BULK_HEADER;
        return true;
    }

    // $<length>\r\n <here>
    private boolean decodeBulkHeader(ByteBuf in, List<Object> out) {
        int lineStart = in.readerIndex() + scanned;
        if (lineStart >= in.writerIndex()) {
            return false;
        }
        byte marker = in.getByte(lineStart);
        if (marker != RespBytes.BULK) {
            return fail(in, out, "ERR Protocol error: expected '$', got '" + (char) (marker & 0xff) + "'");
        }
        int cr = findCr(in);
        if (cr < 0) {
            if (in.writerIndex() - lineStart > limits.maxInlineBytes()) {
                return fail(in, out, "ERR Protocol error: too big bulk count string");
            }
            return false;
        }
        if (cr + 1 >= in.writerIndex()) {
            return false;
        }
        long length = RespBytes.parseLong(in, lineStart + 1, cr - lineStart - 1);
        long frameEnd = (long) cr + 2 - in.readerIndex() + length + 2;
        if (in.getByte(cr + 1) != RespBytes.LF
                || length < 0
                || length > limits.maxBulkBytes()
                || frameEnd > Integer.MAX_VALUE - 16) {
            return fail(in, out, "ERR Protocol error: invalid bulk length");
        }
        if (unauthenticated && length > UNAUTHENTICATED_MAX_BULK_BYTES) {
            return fail(in, out, "ERR Protocol error: unauthenticated bulk length");
        }
        scanned = cr + 2 - in.readerIndex();
        bulkLength = (int) length;
        state = State.BULK_DATA;
        return true;
    }

    // $<length>\r\n<bytes>\r\n <here>
    private boolean decodeBulkData(ByteBuf in, List<Object> out) {
        int dataStart = in.readerIndex() + scanned;
        if (in.writerIndex() - dataStart < bulkLength + 2) {
            return false;
        }
        if (in.getShort(dataStart + bulkLength) != RespBytes.CRLF_SHORT) {
            return fail(in, out, "ERR Protocol error: invalid bulk length");
        }
        if (2 * argCount + 2 > bounds.length) {
            bounds = Arrays.copyOf(bounds, bounds.length * 2);
        }
        bounds[2 * argCount] = scanned;
        bounds[2 * argCount + 1] = bulkLength;
        argCount++;
        scanned += bulkLength + 2;
        lineSearched = scanned;
        if (--argsRemaining > 0) {
            state = State.BULK_HEADER;
            return true;
        }
        // The whole request is here: hand it on as one retained slice, arguments as offsets into it.
        ByteBuf frame = in.readRetainedSlice(scanned);
        out.add(new RespCommand(frame, Arrays.copyOf(bounds, 2 * argCount), argCount, false));
        if (bounds.length > 2 * INITIAL_ARGS * 64) {
            // One huge MSET should not pin a huge array for the life of the connection.
            bounds = new int[2 * INITIAL_ARGS];
        }
        state = State.START;
        // Before authentication, let the session see this request (an AUTH?) before parsing on.
        return !unauthenticated;
    }

    /** Finds the CR ending the current header line, resuming where the last search stopped. */
    private int findCr(ByteBuf in) {
        int from = in.readerIndex() + lineSearched;
        int cr = from < in.writerIndex() ? in.forEachByte(from, in.writerIndex() - from, ByteProcessor.FIND_CR) : -1;
        if (cr < 0) {
            lineSearched = in.readableBytes();
        }
        return cr;
    }

    private boolean fail(ByteBuf in, List<Object> out, String message) {
        out.add(new RespProtocolError(message));
        state = State.BAD_MESSAGE;
        in.skipBytes(in.readableBytes());
        return false;
    }
}
