package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respite.resp.codec.RespFrames;
import it.unimi.dsi.fastutil.ints.IntList;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Keeps the upstream's secrets out of {@code CONFIG GET} replies while respite holds the upstream's
 * credentials: a client that got past respite's own password must not learn Redis's (or the
 * master's, or a TLS key's) from Redis. The value of each secret parameter is replaced by
 * {@value #REDACTED_TEXT}; everything else is copied byte for byte. Stateless.
 */
final class ConfigRedaction {

    /** What a secret parameter's value reads as. */
    static final String REDACTED_TEXT = "(redacted by respite)";

    /** Parameters whose values are secrets, lower case. */
    static final Set<String> SECRET_PARAMETERS =
            Set.of("requirepass", "masterauth", "tls-key-file-pass", "tls-client-key-file-pass");

    private static final byte[] REDACTED = Replies.bulkBytes(REDACTED_TEXT.getBytes(StandardCharsets.US_ASCII));

    private ConfigRedaction() {}

    /**
     * The reply to {@code CONFIG GET} with secret values redacted: {@code frame} itself when it
     * holds none (or is an error). Takes ownership of {@code frame}; returns a new reference the
     * caller must release.
     */
    static ByteBuf redact(ByteBuf frame) {
        int[] elements = RespFrames.elements(frame);
        if (elements == null || elements.length % 4 != 0 || !holdsSecret(frame, elements)) {
            return frame;
        }
        ByteBuf out = Unpooled.buffer(frame.readableBytes() + 64);
        out.writeBytes(frame, frame.readerIndex(), elements[0] - frame.readerIndex());
        for (int i = 0; i < elements.length; i += 4) {
            out.writeBytes(frame, elements[i], elements[i + 1]);
            if (isSecret(frame, elements[i], elements[i + 1])) {
                out.writeBytes(REDACTED);
            } else {
                out.writeBytes(frame, elements[i + 2], elements[i + 3]);
            }
        }
        frame.release();
        return out;
    }

    /**
     * The reply to {@code EXEC} with the replies at {@code positions} (those of queued
     * {@code CONFIG GET}s) redacted; {@code frame} itself when it is not an array (EXECABORT, a
     * WATCH that failed). Takes ownership of {@code frame}; returns a new reference.
     */
    static ByteBuf redactElements(ByteBuf frame, IntList positions) {
        int[] elements = RespFrames.elements(frame);
        if (elements == null) {
            return frame;
        }
        ByteBuf out = Unpooled.buffer(frame.readableBytes() + 64);
        out.writeBytes(
                frame,
                frame.readerIndex(),
                elements.length == 0 ? frame.readableBytes() : elements[0] - frame.readerIndex());
        for (int i = 0; 2 * i < elements.length; i++) {
            ByteBuf element = frame.retainedSlice(elements[2 * i], elements[2 * i + 1]);
            ByteBuf written = positions.contains(i) ? redact(element) : element;
            out.writeBytes(written);
            written.release();
        }
        frame.release();
        return out;
    }

    private static boolean holdsSecret(ByteBuf frame, int[] elements) {
        for (int i = 0; i < elements.length; i += 4) {
            if (isSecret(frame, elements[i], elements[i + 1])) {
                return true;
            }
        }
        return false;
    }

    /** True when the element at {@code index} is a bulk string naming a secret parameter. */
    private static boolean isSecret(ByteBuf frame, int index, int length) {
        long nameLength = RespFrames.bulkLength(frame, index, length);
        if (nameLength < 0) {
            return false;
        }
        int start = index + length - 2 - (int) nameLength;
        String name =
                frame.toString(start, (int) nameLength, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        return SECRET_PARAMETERS.contains(name);
    }
}
