package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.respite.proxy.cache.Namespaces;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.command.CommandInfo;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespCommand;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the cache from serving what a write through respite changed: a write's keys leave the
 * cache when it is sent (so a GET pipelined behind it misses and reads upstream, behind the write)
 * and again when its reply arrives (so a read on another event loop that raced the write cannot
 * leave the old value behind: its fill token is stale by then). A write whose keys cannot all be
 * found, or that has no keys at all (FLUSHDB, FLUSHALL, SWAPDB), empties the cache. Which
 * commands write, and where their keys are, comes from the upstream's command table
 * ({@link WrittenKeys}). With {@code --auth passthrough} a written key leaves every user's
 * partition of its database ({@link Namespaces}), whoever wrote it: what another user cached of
 * it is as stale as the writer's. Shared by every client; stateless.
 */
final class WriteInvalidation {

    private final StripedLruCache cache;
    /** The namespaces filled, when the cache is partitioned by user; null when it is not. */
    private final @Nullable Namespaces partitioned;

    WriteInvalidation(StripedLruCache cache, @Nullable Namespaces partitioned) {
        this.cache = cache;
        this.partitioned = partitioned;
    }

    /**
     * Removes from the cache every key {@code command}, run in {@code database}, may write. Borrows
     * {@code command}.
     */
    void invalidate(int database, RespCommand command, CommandInfo info) {
        if (info.isWrite() && info.keySpecs().isEmpty()) {
            cache.invalidateAll();
            return;
        }
        Namespaces namespaces = partitioned;
        boolean complete = WrittenKeys.forEach(info, command, database, (db, arg) -> {
            byte[] key = CacheKeys.buffer(command, arg);
            if (namespaces == null) {
                cache.invalidate(key, 0, CacheKeys.write(db, command, arg, key));
                return;
            }
            namespaces.forEach(namespace -> {
                if (namespace >> Namespaces.PARTITION_SHIFT != 0 && Namespaces.partitionedDatabase(namespace) == db) {
                    cache.invalidate(key, 0, CacheKeys.write(namespace, command, arg, key));
                }
            });
        });
        if (!complete) {
            cache.invalidateAll();
        }
    }

    /**
     * A callback that invalidates the write's keys again when its reply (or failure) arrives,
     * then passes it on to {@code next}. Takes ownership of {@code command} (one reference,
     * released then).
     */
    ReplyCallback onReply(ReplyCallback next, int database, RespCommand command, CommandInfo info) {
        return new ReplyCallback() {
            @Override
            public void onReply(ByteBuf frame) {
                settle();
                next.onReply(frame);
            }

            @Override
            public void onFailure(String error) {
                // The write may or may not have happened: forget the keys either way.
                settle();
                next.onFailure(error);
            }

            private void settle() {
                try {
                    invalidate(database, command, info);
                } finally {
                    command.release();
                }
            }
        };
    }
}
