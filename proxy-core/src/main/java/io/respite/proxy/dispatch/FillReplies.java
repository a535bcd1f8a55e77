package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.respite.resp.RespCommand;
import io.respite.resp.RespType;
import io.respite.resp.codec.RespFrames;
import io.respite.resp.codec.RespWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What an upstream read's reply becomes in the cache, for {@link CachedReads} and
 * {@link CachedMultiGets}: which replies are cached and as what bytes, until when (from the key's
 * PTTL), and what a miss that joined the read is answered. Stateless.
 */
final class FillReplies {

    /** Taken off the key's remaining time to live, for the time its reply spends travelling, in milliseconds. */
    static final long EXPIRY_MARGIN_MILLIS = 1;

    /** How a cached nil is stored: one array, recognised by identity and answered in the client's protocol. */
    static final byte[] NIL = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] PTTL_NAME = "PTTL".getBytes(StandardCharsets.US_ASCII);

    private final long maxEntryBytes;
    private final boolean cacheNil;

    /**
     * @param maxEntryBytes largest value cached, in bytes
     * @param cacheNil whether a nil is cached (until the key appears, in tracking mode)
     */
    FillReplies(long maxEntryBytes, boolean cacheNil) {
        this.maxEntryBytes = maxEntryBytes;
        this.cacheNil = cacheNil;
    }

    /**
     * The cacheable form of the {@code length} reply bytes at {@code index} of {@code frame}: a
     * copy of a bulk string of at most --max-entry-size, {@link #NIL} for a nil when nil is
     * cached, else null. Borrows {@code frame}.
     */
    byte @Nullable [] cacheable(ByteBuf frame, int index, int length) {
        long valueLength = RespFrames.bulkLength(frame, index, length);
        if (valueLength >= 0) {
            if (valueLength > maxEntryBytes) {
                return null;
            }
            byte[] wire = new byte[length];
            frame.getBytes(index, wire);
            return wire;
        }
        return cacheNil && isNil(frame, index, length) ? NIL : null;
    }

    /** For the misses that joined a read, when it failed: no reply, they read for themselves. */
    static byte @Nullable [] noReply() {
        return null;
    }

    /**
     * The {@code length} reply bytes at {@code index} of {@code frame} as a joined miss is answered:
     * {@link #NIL} for a nil (each client gets it in its own protocol), else a copy. Borrows
     * {@code frame}.
     */
    static byte[] answer(ByteBuf frame, int index, int length) {
        if (isNil(frame, index, length)) {
            return NIL;
        }
        byte[] copy = new byte[length];
        frame.getBytes(index, copy);
        return copy;
    }

    private static boolean isNil(ByteBuf frame, int index, int length) {
        byte marker = frame.getByte(index);
        return (marker == '_' && length == 3) || (marker == '$' && length == 5 && frame.getByte(index + 1) == '-');
    }

    /**
     * The deadline a fill gets from its key's PTTL reply ({@code ttl}), read at {@code sentNanos}:
     * 0 for none (the default --ttl only), -1 when the value must not be cached. A nil is cached
     * only when the PTTL confirms the key does not exist: MGET answers nil for a key of another
     * type too, where GET answers WRONGTYPE. Borrows {@code ttl}.
     */
    static long deadline(ByteBuf ttl, long sentNanos, byte[] value) {
        if (RespFrames.type(ttl) != RespType.INTEGER) {
            return -1;
        }
        long millis = RespFrames.integer(ttl);
        if (value == NIL || millis == -2) {
            // A nil of a key that does not exist, until --ttl; or a value whose key vanished meanwhile.
            return value == NIL && millis == -2 ? 0 : -1;
        }
        if (millis == -1) {
            return 0;
        }
        if (millis <= EXPIRY_MARGIN_MILLIS) {
            return -1;
        }
        return sentNanos + TimeUnit.MILLISECONDS.toNanos(millis - EXPIRY_MARGIN_MILLIS);
    }

    /**
     * {@code PTTL key}, the key being argument {@code arg} of {@code command}, as a request;
     * returns a new reference the caller must release (or send). Borrows {@code command}.
     */
    static ByteBuf ttlRequest(RespCommand command, int arg) {
        byte[] name = PTTL_NAME;
        int keyLength = command.argLength(arg);
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(keyLength + name.length + 32);
        RespWriter.writeHeader(out, RespType.ARRAY, 2);
        RespWriter.writeBulk(out, name);
        RespWriter.writeHeader(out, RespType.BULK_STRING, keyLength);
        out.writeBytes(command.frame(), command.frame().readerIndex() + command.argOffset(arg), keyLength);
        return out.writeShort(0x0d0a);
    }
}
