package io.respite.proxy.dispatch;

import io.netty.util.concurrent.FastThreadLocal;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.resp.RespCommand;

/**
 * Cache keys: the database, then the key's bytes, so that one cache serves every database. One
 * byte of prefix for databases below 255, five above. Built in a per-thread buffer, and looked up
 * into a per-thread result, so a lookup allocates nothing for keys up to 251 bytes. Stateless
 * apart from those.
 */
final class CacheKeys {

    /** Longest database prefix, in bytes. */
    private static final int MAX_PREFIX_BYTES = 5;

    private static final FastThreadLocal<byte[]> BUFFER = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[256];
        }
    };

    private static final FastThreadLocal<StripedLruCache.Lookup> LOOKUP = new FastThreadLocal<>() {
        @Override
        protected StripedLruCache.Lookup initialValue() {
            return new StripedLruCache.Lookup();
        }
    };

    private CacheKeys() {}

    /** The thread's lookup result holder: read it before the thread's next lookup. */
    static StripedLruCache.Lookup lookup() {
        return LOOKUP.get();
    }

    /** The thread's key buffer, or a new array when argument {@code arg}'s cache key would not fit. */
    static byte[] buffer(RespCommand command, int arg) {
        byte[] buffer = BUFFER.get();
        int needed = command.argLength(arg) + MAX_PREFIX_BYTES;
        return buffer.length >= needed ? buffer : new byte[needed];
    }

    /**
     * Writes the cache key of argument {@code arg} in {@code database} into {@code out}, which
     * must come from {@link #buffer}; returns its length. Borrows {@code command}.
     */
    static int write(int database, RespCommand command, int arg, byte[] out) {
        int at;
        if (database < 0xFF) {
            out[0] = (byte) database;
            at = 1;
        } else {
            out[0] = (byte) 0xFF;
            out[1] = (byte) (database >>> 24);
            out[2] = (byte) (database >>> 16);
            out[3] = (byte) (database >>> 8);
            out[4] = (byte) database;
            at = MAX_PREFIX_BYTES;
        }
        return at + command.copyArg(arg, out, at);
    }
}
