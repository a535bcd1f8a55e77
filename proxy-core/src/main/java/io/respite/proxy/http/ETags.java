package io.respite.proxy.http;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Strong entity tags from a value's bytes: two CRCs of different polynomials (CRC-32C and
 * CRC-32, both computed by CPU instructions) and the length, so that equal values always share a
 * tag and a different value sharing one is a 64-bit coincidence, with no state kept anywhere: any
 * replica computes the same tag for the same value. Cheap enough to compute on every hit.
 */
final class ETags {

    private ETags() {}

    /** The tag of {@code length} bytes of {@code buf} from {@code offset}, quoted: {@code "5-1a2b...}". */
    static String of(ByteBuf buf, int offset, int length) {
        CRC32C c = new CRC32C();
        CRC32 d = new CRC32();
        for (ByteBuffer part : buf.nioBuffers(offset, length)) {
            c.update(part.duplicate());
            d.update(part.duplicate());
        }
        HexFormat hex = HexFormat.of();
        return '"'
                + Integer.toHexString(length)
                + '-'
                + hex.toHexDigits((int) c.getValue())
                + hex.toHexDigits((int) d.getValue())
                + '"';
    }

    /**
     * Whether an {@code If-None-Match} header value matches {@code tag}: {@code *}, or any listed tag
     * equal to it under weak comparison (a {@code W/} prefix ignored), as RFC 9110 says for GET.
     */
    static boolean matches(String ifNoneMatch, String tag) {
        String header = ifNoneMatch.strip();
        if (header.equals("*")) {
            return true;
        }
        for (String candidate : header.split(",", -1)) {
            String trimmed = candidate.strip();
            if (trimmed.startsWith("W/")) {
                trimmed = trimmed.substring(2);
            }
            if (trimmed.equals(tag)) {
                return true;
            }
        }
        return false;
    }
}
