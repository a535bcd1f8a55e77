package io.respite.proxy.dispatch;

import io.netty.util.concurrent.FastThreadLocal;
import io.respite.proxy.cache.DatabaseKeys;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.resp.RespCommand;

/**
 * Cache keys ({@link DatabaseKeys}: the database, then the key's bytes) of a command's arguments.
 * Built in a per-thread buffer, and looked up
 * into a per-thread result, so a lookup allocates nothing for keys up to 251 bytes. Stateless
 * apart from those.
 */
final class CacheKeys {

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
        int needed = command.argLength(arg) + DatabaseKeys.MAX_PREFIX_BYTES;
        return buffer.length >= needed ? buffer : new byte[needed];
    }

    /**
     * Writes the cache key of argument {@code arg} in {@code namespace} (a database, or a user's
     * partition of one: {@link io.respite.proxy.cache.Namespaces}) into {@code out}, which must
     * come from {@link #buffer}; returns its length. Borrows {@code command}.
     */
    static int write(int namespace, RespCommand command, int arg, byte[] out) {
        int at = DatabaseKeys.writePrefix(namespace, out);
        return at + command.copyArg(arg, out, at);
    }
}
