package io.respite.proxy.cache;

/**
 * How respite keys its one cache across Redis's databases: the database number, then the key's
 * bytes. One byte of prefix for databases below 255 ({@code 0xff} is never a one-byte prefix),
 * five above. Stateless.
 */
public final class DatabaseKeys {

    /** Longest database prefix, in bytes. */
    public static final int MAX_PREFIX_BYTES = 5;

    private DatabaseKeys() {}

    /** The length of the prefix a cache key starts with. */
    public static int prefixLength(byte[] cacheKey) {
        return cacheKey.length > 0 && cacheKey[0] == (byte) 0xFF ? MAX_PREFIX_BYTES : 1;
    }

    /** The database a cache key's prefix names. */
    public static int database(byte[] cacheKey) {
        if (cacheKey[0] != (byte) 0xFF) {
            return cacheKey[0] & 0xFF;
        }
        return (cacheKey[1] & 0xFF) << 24
                | (cacheKey[2] & 0xFF) << 16
                | (cacheKey[3] & 0xFF) << 8
                | (cacheKey[4] & 0xFF);
    }

    /** Writes the prefix of {@code database} at the start of {@code out}; returns its length. */
    public static int writePrefix(int database, byte[] out) {
        if (database < 0xFF) {
            out[0] = (byte) database;
            return 1;
        }
        out[0] = (byte) 0xFF;
        out[1] = (byte) (database >>> 24);
        out[2] = (byte) (database >>> 16);
        out[3] = (byte) (database >>> 8);
        out[4] = (byte) database;
        return MAX_PREFIX_BYTES;
    }
}
