package io.respite.proxy.hotkeys;

import java.nio.charset.StandardCharsets;

/**
 * One reported hot key with Space-Saving's bounds on its reads over the window:
 * {@code count() - error() <= true reads <= count()}. Immutable; {@link #key()} returns the
 * object's own array, which callers must not mutate.
 */
public final class HotKey {

    private final byte[] key;
    private final int keyLength;
    private final long count;
    private final long error;

    HotKey(byte[] key, int keyLength, long count, long error) {
        this.key = key;
        this.keyLength = keyLength;
        this.count = count;
        this.error = error;
    }

    /** The key's bytes, or its first maxKeyBytes bytes when {@link #truncated()}. */
    public byte[] key() {
        return key;
    }

    /** The full length of the key in bytes. */
    public int keyLength() {
        return keyLength;
    }

    /** Whether {@link #key()} holds only a prefix of a longer key. */
    public boolean truncated() {
        return key.length < keyLength;
    }

    /** Estimated reads over the window: an upper bound of the true number. */
    public long count() {
        return count;
    }

    /** Maximum overestimation: the key was read at least {@code count() - error()} times. */
    public long error() {
        return error;
    }

    @Override
    public String toString() {
        return new String(key, StandardCharsets.ISO_8859_1) + (truncated() ? "..." : "") + " count=" + count + " error="
                + error;
    }
}
