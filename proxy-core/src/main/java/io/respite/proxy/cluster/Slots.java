package io.respite.proxy.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Redis Cluster's key-to-slot function: CRC16 (XMODEM: polynomial 0x1021, initial value 0) of the
 * key, or of its hash tag, modulo {@value #COUNT}. A hash tag is what lies between the first
 * {@code {}} and the first {@code }}} after it, when that is not empty; so {@code {user1}.a} and
 * {@code {user1}.b} share a slot. Stateless.
 */
public final class Slots {

    /** Slots in a Redis Cluster. */
    public static final int COUNT = 16384;

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xFFFF;
        }
    }

    private Slots() {}

    /** The slot of the {@code length} bytes of key at {@code index} of {@code buf}. Borrows {@code buf}. */
    public static int of(ByteBuf buf, int index, int length) {
        int open = -1;
        for (int i = 0; i < length; i++) {
            if (buf.getByte(index + i) == '{') {
                open = i;
                break;
            }
        }
        if (open >= 0) {
            for (int i = open + 1; i < length; i++) {
                if (buf.getByte(index + i) == '}') {
                    if (i > open + 1) {
                        return crc16(buf, index + open + 1, i - open - 1) & (COUNT - 1);
                    }
                    break;
                }
            }
        }
        return crc16(buf, index, length) & (COUNT - 1);
    }

    /** The slot of {@code key}. */
    public static int of(byte[] key) {
        return of(Unpooled.wrappedBuffer(key), 0, key.length);
    }

    static int crc16(ByteBuf buf, int index, int length) {
        int crc = 0;
        for (int i = index; i < index + length; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ buf.getByte(i)) & 0xFF]) & 0xFFFF;
        }
        return crc;
    }
}
