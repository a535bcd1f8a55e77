package io.respite.proxy.command;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respite.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An immutable map from ASCII names to values, looked up case-insensitively straight from a
 * buffer region, so matching a command name costs no allocation. Open addressing with linear
 * probing over a power-of-two table at most half full.
 */
public final class NameIndex<T> {

    private static final NameIndex<?> EMPTY = new NameIndex<>(Map.of());

    private final byte[][] keys;
    private final Object[] values;
    private final int mask;
    private final int size;

    /** Builds from {@code entries}; names are stored lower case. */
    public NameIndex(Map<String, T> entries) {
        int capacity = Integer.highestOneBit(Math.max(4, entries.size() * 2 - 1)) << 1;
        keys = new byte[capacity][];
        values = new Object[capacity];
        mask = capacity - 1;
        size = entries.size();
        for (Map.Entry<String, T> e : entries.entrySet()) {
            byte[] key = e.getKey().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
            int slot = hash(key) & mask;
            while (keys[slot] != null) {
                if (Arrays.equals(keys[slot], key)) {
                    throw new IllegalArgumentException("duplicate name: " + e.getKey());
                }
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            values[slot] = e.getValue();
        }
    }

    @SuppressWarnings("unchecked")
    public static <T> NameIndex<T> empty() {
        return (NameIndex<T>) EMPTY;
    }

    public int size() {
        return size;
    }

    /**
     * The value for the name in {@code length} bytes at {@code index}, ignoring ASCII case; or null.
     * Borrows {@code buf}.
     */
    @SuppressWarnings("unchecked")
    public @Nullable T get(ByteBuf buf, int index, int length) {
        int h = 0;
        for (int i = 0; i < length; i++) {
            h = 31 * h + lower(buf.getByte(index + i));
        }
        for (int slot = mix(h) & mask; ; slot = (slot + 1) & mask) {
            byte[] key = keys[slot];
            if (key == null) {
                return null;
            }
            if (key.length == length && matches(key, buf, index)) {
                return (T) values[slot];
            }
        }
    }

    /**
     * The value named by argument {@code arg} of {@code command}, ignoring ASCII case; or null.
     * Borrows {@code command}.
     */
    public @Nullable T get(RespCommand command, int arg) {
        return get(command.frame(), command.frame().readerIndex() + command.argOffset(arg), command.argLength(arg));
    }

    /** The value for {@code name}, ignoring ASCII case; or null. */
    public @Nullable T get(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        return get(Unpooled.wrappedBuffer(bytes), 0, bytes.length);
    }

    private static boolean matches(byte[] key, ByteBuf buf, int index) {
        for (int i = 0; i < key.length; i++) {
            if (key[i] != lower(buf.getByte(index + i))) {
                return false;
            }
        }
        return true;
    }

    private static int hash(byte[] key) {
        int h = 0;
        for (byte b : key) {
            h = 31 * h + b;
        }
        return mix(h);
    }

    private static int mix(int h) {
        return h ^ (h >>> 16);
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
    }
}
