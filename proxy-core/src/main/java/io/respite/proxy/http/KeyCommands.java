package io.respite.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.respite.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The RESP conversations behind each route, as a Redis user would hold them: GET (through the
 * cache, as any client's GET), SET, EXISTS and DEL, pipelined on the connection's context and
 * answered when the last reply is in. A value's content type lives beside it in Redis, under
 * {@value #TYPE_PREFIX}{@code <key>}, so that every replica serves it: written (or deleted) with
 * each PUT, read with each GET (a hit when nils are cached, as in tracking mode), deleted with the
 * value. A value written over RESP keeps whatever type the last PUT gave it.
 *
 * <p>Stateless; every method runs on the connection's event loop.
 */
final class KeyCommands {

    /** Where a value's content type is kept: this prefix, then the key. */
    static final String TYPE_PREFIX = "respite:content-type:";

    private static final byte[] GET = ascii("GET");
    private static final byte[] SET = ascii("SET");
    private static final byte[] DEL = ascii("DEL");
    private static final byte[] EXISTS = ascii("EXISTS");
    private static final byte[] PX = ascii("PX");
    private static final byte[] NX = ascii("NX");
    private static final byte[] PREFIX = ascii(TYPE_PREFIX);
    private static final short CRLF = ('\r' << 8) | '\n';

    private KeyCommands() {}

    /** What a GET of a value found: the value's frame and its content type, to make a response of. */
    @FunctionalInterface
    interface ValueResponse {
        /**
         * The response for the value of {@code length} bytes at {@code offset} in {@code frame}
         * (borrowed: retain what the response keeps), of content {@code type} (null when none was
         * given at PUT time).
         */
        FullHttpResponse found(ByteBuf frame, int offset, int length, @Nullable String type);
    }

    /**
     * GET {@code key} (and its content type when {@code typed}), answering {@code exchange} with
     * {@code found}'s response, {@code missing}'s when the key does not exist, or {@code failed}'s
     * for an error.
     */
    static void get(
            CommandBridge bridge,
            Exchange exchange,
            int db,
            byte[] key,
            boolean typed,
            ValueResponse found,
            Supplier<FullHttpResponse> missing,
            Replies.Failed failed) {
        Replies replies = new Replies(
                typed ? 2 : 1,
                frames -> {
                    ByteBuf value = frames[0];
                    int offset = ReplyFrames.bulkOffset(value);
                    if (offset < 0) {
                        return missing.get();
                    }
                    String type = null;
                    int typeOffset = typed ? ReplyFrames.bulkOffset(frames[1]) : -1;
                    if (typeOffset >= 0) {
                        type = frames[1].toString(
                                typeOffset, ReplyFrames.bulkLength(frames[1]), StandardCharsets.UTF_8);
                    }
                    return found.found(value, offset, ReplyFrames.bulkLength(value), type);
                },
                failed);
        if (!bridge.send(db, RespCommand.of(GET, key), replies.slot(0))) {
            replies.abandon();
            invalidDatabase(exchange, db);
            return;
        }
        if (typed) {
            bridge.send(db, RespCommand.of(GET, typeKey(key)), replies.lenientSlot(1));
        }
        replies.await(exchange);
    }

    /**
     * PUT: SET {@code key} to {@code body} (with PX and NX as asked) and its content type (or DEL
     * of a type given before), answering 201 when the key is new, 204 when it was replaced, 412
     * when NX found it. Without NX, an EXISTS pipelined ahead of the SET tells new from replaced
     * (a write by another client in between may make a 204 a 201). Takes ownership of {@code body}.
     */
    static void put(
            CommandBridge bridge,
            Exchange exchange,
            int db,
            byte[] key,
            CompositeByteBuf body,
            long ttlMillis,
            boolean nx,
            @Nullable String type,
            Replies.Failed failed) {
        RespCommand set = setCommand(key, body, ttlMillis, nx);
        if (nx) {
            Replies replies = new Replies(
                    1,
                    frames -> ReplyFrames.isNil(frames[0])
                            ? Responses.text(HttpResponseStatus.PRECONDITION_FAILED, "the key exists (nx)")
                            : null,
                    failed);
            if (!bridge.send(db, set, replies.slot(0))) {
                replies.abandon();
                invalidDatabase(exchange, db);
                return;
            }
            replies.then(exchange, () -> {
                Replies typeReply = new Replies(1, frames -> Responses.empty(HttpResponseStatus.CREATED), failed);
                if (!bridge.send(db, typeCommand(key, ttlMillis, type), typeReply.slot(0))) {
                    typeReply.abandon();
                    invalidDatabase(exchange, db);
                    return;
                }
                typeReply.await(exchange);
            });
            return;
        }
        Replies replies = new Replies(
                3,
                frames -> Responses.empty(
                        ReplyFrames.integer(frames[0], 0) == 1
                                ? HttpResponseStatus.NO_CONTENT
                                : HttpResponseStatus.CREATED),
                failed);
        if (!bridge.send(db, RespCommand.of(EXISTS, key), replies.slot(0))) {
            set.release();
            replies.abandon();
            invalidDatabase(exchange, db);
            return;
        }
        bridge.send(db, set, replies.slot(1));
        bridge.send(db, typeCommand(key, ttlMillis, type), replies.slot(2));
        replies.await(exchange);
    }

    /** DEL {@code key} and its content type: 204, or 404 when there was no such key. */
    static void delete(CommandBridge bridge, Exchange exchange, int db, byte[] key, Replies.Failed failed) {
        Replies replies = new Replies(
                2,
                frames -> ReplyFrames.integer(frames[0], 0) > 0
                        ? Responses.empty(HttpResponseStatus.NO_CONTENT)
                        : Responses.text(HttpResponseStatus.NOT_FOUND, "no such key"),
                failed);
        if (!bridge.send(db, RespCommand.of(DEL, key), replies.slot(0))) {
            replies.abandon();
            invalidDatabase(exchange, db);
            return;
        }
        bridge.send(db, RespCommand.of(DEL, typeKey(key)), replies.slot(1));
        replies.await(exchange);
    }

    private static void invalidDatabase(Exchange exchange, int db) {
        exchange.respond(Responses.text(HttpResponseStatus.BAD_REQUEST, "invalid database: " + db));
    }

    /** SET of the content type with the value's expiry, or DEL of any type given before. */
    private static RespCommand typeCommand(byte[] key, long ttlMillis, @Nullable String type) {
        if (type == null) {
            return RespCommand.of(DEL, typeKey(key));
        }
        byte[] typeBytes = type.getBytes(StandardCharsets.UTF_8);
        return ttlMillis > 0
                ? RespCommand.of(SET, typeKey(key), typeBytes, PX, ascii(Long.toString(ttlMillis)))
                : RespCommand.of(SET, typeKey(key), typeBytes);
    }

    /**
     * {@code SET key <body> [PX ms] [NX]} around the body's own buffers: the value is not copied on
     * its way upstream. Every part is direct, as the body's blocks are: a frame with one heap part
     * would be copied whole into a direct buffer by the transport. Takes ownership of {@code body}.
     */
    static RespCommand setCommand(byte[] key, CompositeByteBuf body, long ttlMillis, boolean nx) {
        int args = 3 + (ttlMillis > 0 ? 2 : 0) + (nx ? 1 : 0);
        int[] bounds = new int[2 * args];
        ByteBuf head = body.alloc().directBuffer(32 + key.length);
        head.writeByte('*').writeBytes(ascii(Integer.toString(args))).writeShort(CRLF);
        bulk(head, SET, 0, bounds, 0);
        bulk(head, key, 0, bounds, 1);
        int length = body.readableBytes();
        head.writeByte('$').writeBytes(ascii(Integer.toString(length))).writeShort(CRLF);
        bounds[4] = head.readableBytes();
        bounds[5] = length;
        ByteBuf tail = body.alloc().directBuffer(48);
        tail.writeShort(CRLF);
        int tailStart = head.readableBytes() + length;
        int arg = 3;
        if (ttlMillis > 0) {
            bulk(tail, PX, tailStart, bounds, arg++);
            bulk(tail, ascii(Long.toString(ttlMillis)), tailStart, bounds, arg++);
        }
        if (nx) {
            bulk(tail, NX, tailStart, bounds, arg);
        }
        CompositeByteBuf frame = body.alloc().compositeDirectBuffer(Integer.MAX_VALUE);
        frame.addComponent(true, head);
        frame.addComponent(true, body);
        frame.addComponent(true, tail);
        return new RespCommand(frame, bounds, args, false);
    }

    /** Writes {@code value} as a bulk string, recording where it lies (from {@code base}) as argument {@code arg}. */
    private static void bulk(ByteBuf out, byte[] value, int base, int[] bounds, int arg) {
        out.writeByte('$').writeBytes(ascii(Integer.toString(value.length))).writeShort(CRLF);
        bounds[2 * arg] = base + out.readableBytes();
        bounds[2 * arg + 1] = value.length;
        out.writeBytes(value).writeShort(CRLF);
    }

    static byte[] typeKey(byte[] key) {
        byte[] typeKey = new byte[PREFIX.length + key.length];
        System.arraycopy(PREFIX, 0, typeKey, 0, PREFIX.length);
        System.arraycopy(key, 0, typeKey, PREFIX.length, key.length);
        return typeKey;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The content type a PUT gives, or null for none (absent, or the default). */
    static @Nullable String putType(@Nullable String header) {
        if (header == null || header.isBlank() || header.strip().equalsIgnoreCase(Responses.OCTET_STREAM.toString())) {
            return null;
        }
        return header.strip();
    }
}
