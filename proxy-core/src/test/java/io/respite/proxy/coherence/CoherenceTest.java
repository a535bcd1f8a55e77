package io.respite.proxy.coherence;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.respite.proxy.cache.DatabaseKeys;
import io.respite.proxy.cache.LoadToken;
import io.respite.proxy.cache.Namespaces;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.DedicatedConnection;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The fill protocol against invalidations, deterministically: a fill is a load token taken before
 * the read, an epoch read when it is sent, and {@code mayFill} + {@code completeLoad} when its reply
 * arrives; the invalidation is a push handed to {@link Coherence#invalidation} at a chosen moment.
 * The dispatch side of the same protocol is tested in {@code CommandRouterTest}.
 */
class CoherenceTest {

    private final StripedLruCache cache =
            StripedLruCache.builder().maxEntries(1000).build();
    private final Coherence coherence = new Coherence(CoherenceMode.TRACKING, cache, List.of());
    private final TrackedLane lane = new TrackedLane();

    /** A fill of {@code key} in {@code db}, begun (token taken, epoch read) but not answered yet. */
    private final class PendingFill {
        final byte[] key;
        final LoadToken token;
        final int epoch;

        PendingFill(int db, String key) {
            this(coherence, db, key);
        }

        PendingFill(Coherence coherence, int db, String key) {
            this.key = key(db, key);
            this.token = cache.beginLoad(this.key);
            RespCommand get = RespCommand.of("GET", key);
            try {
                this.epoch = coherence.fillEpoch(lane, RespVersion.RESP2, db, get, 1);
            } finally {
                get.release();
            }
        }

        /** The reply arrives: returns whether the value was cached. */
        boolean answer(String value) {
            if (!coherence.mayFill(epoch)) {
                cache.abandonLoad(token);
                return false;
            }
            return cache.completeLoad(token, value.getBytes(UTF_8), 0);
        }
    }

    private static byte[] key(int db, String key) {
        byte[] name = key.getBytes(UTF_8);
        byte[] out = new byte[name.length + DatabaseKeys.MAX_PREFIX_BYTES];
        int at = DatabaseKeys.writePrefix(db, out);
        System.arraycopy(name, 0, out, at, name.length);
        return Arrays.copyOf(out, at + name.length);
    }

    private void trackingUp() {
        lane.epoch = coherence.trackingOn();
    }

    /** Redis's push: {@code >2 invalidate [keys...]}. */
    private void invalidate(String... keys) {
        CoherenceDriver.invalidate(coherence, keys);
    }

    @Test
    void nothingIsCachedBeforeRedisTracksTheReads() {
        assertFalse(coherence.caching());
        assertFalse(new PendingFill(0, "k").answer("v"));
        assertEquals(1, coherence.stats().fillsRefused());
        trackingUp();
        assertTrue(coherence.caching());
        assertTrue(new PendingFill(0, "k").answer("v"));
    }

    @Test
    void aReadSentOnAConnectionNotYetTrackingIsNotCached() {
        trackingUp();
        lane.epoch = -1;
        assertFalse(new PendingFill(0, "k").answer("v"), "the connection had not applied tracking yet");
        lane.epoch = coherence.trackingOn() - 1;
        assertFalse(new PendingFill(0, "k").answer("v"), "tracking from an earlier epoch");
    }

    @Test
    void anInvalidationBeforeTheFillsReplyLeavesNothingCached() {
        trackingUp();
        PendingFill fill = new PendingFill(0, "k");
        invalidate("k");
        assertFalse(fill.answer("old"), "the invalidation staled the token");
        assertNull(cache.get(key(0, "k")));
        assertEquals(1, cache.stats().staleFillsDropped());
    }

    @Test
    void anInvalidationAfterTheFillsReplyRemovesTheEntry() {
        trackingUp();
        PendingFill fill = new PendingFill(0, "k");
        assertTrue(fill.answer("old"));
        invalidate("k");
        assertNull(cache.get(key(0, "k")));
        assertEquals(1, coherence.stats().keysDropped());
        assertEquals(1, coherence.stats().messages());
    }

    @Test
    void anInvalidationReachesEveryDatabaseFilled() {
        trackingUp();
        assertTrue(new PendingFill(0, "k").answer("a"));
        assertTrue(new PendingFill(5, "k").answer("b"));
        PendingFill inFlight = new PendingFill(9, "k");
        invalidate("k");
        assertNull(cache.get(key(0, "k")));
        assertNull(cache.get(key(5, "k")));
        assertFalse(inFlight.answer("c"), "a database first read by a fill still in flight is reached too");
    }

    @Test
    void highNamespacesAreReachedExactly() {
        trackingUp();
        int user = Namespaces.of(3, 0, false);
        assertTrue(new PendingFill(0, "other").answer("x"));
        assertTrue(new PendingFill(100, "k").answer("v"));
        assertTrue(new PendingFill(user, "k").answer("w"));
        invalidate("unrelated");
        assertEquals(3, cache.size(), "a database of 63 or above no longer empties the cache");
        invalidate("k");
        assertNull(cache.get(key(100, "k")));
        assertNull(cache.get(key(user, "k")), "a user's partition is reached too");
        assertNotNull(cache.get(key(0, "other")));
    }

    @Test
    void aNullMessageDropsEverything() {
        trackingUp();
        assertTrue(new PendingFill(0, "a").answer("1"));
        PendingFill inFlight = new PendingFill(0, "b");
        coherence.invalidation(Unpooled.copiedBuffer(">2\r\n$10\r\ninvalidate\r\n_\r\n", UTF_8));
        assertEquals(0, cache.size());
        assertFalse(inFlight.answer("2"));
        assertEquals(1, coherence.stats().flushes());
    }

    @Test
    void aLostStreamStopsCachingAndEmptiesTheCache() {
        trackingUp();
        assertTrue(new PendingFill(0, "a").answer("1"));
        PendingFill inFlight = new PendingFill(0, "b");
        coherence.streamDown("connection closed");
        assertFalse(coherence.caching());
        assertEquals(0, cache.size());
        assertFalse(inFlight.answer("2"), "its invalidation may have been missed");
        assertFalse(new PendingFill(0, "c").answer("3"), "no caching until tracking is back");
        trackingUp();
        assertFalse(inFlight.answer("2"), "a read of the old epoch stays refused after recovery");
        assertTrue(new PendingFill(0, "c").answer("3"), "and resumes by itself");
        assertEquals(2, coherence.stats().trackingStarts());
    }

    @Test
    void aSharedConnectionLostInDefaultModeEmptiesTheCache() {
        trackingUp();
        assertTrue(new PendingFill(0, "a").answer("1"));
        coherence.sharedConnectionDown();
        assertEquals(0, cache.size(), "the keys it read are no longer tracked");
        assertTrue(coherence.caching(), "the stream is up: caching goes on");
        assertTrue(new PendingFill(0, "a").answer("1"), "reads of the reconnected connection are tracked");
    }

    @Test
    void otherPushesAreIgnoredAndReleased() {
        trackingUp();
        assertTrue(new PendingFill(0, "k").answer("v"));
        ByteBuf push = Unpooled.copiedBuffer(">2\r\n$21\r\ntracking-redir-broken\r\n:7\r\n", UTF_8);
        coherence.invalidation(push);
        assertEquals(0, push.refCnt());
        assertArrayEquals("v".getBytes(UTF_8), cache.get(key(0, "k")));
        assertEquals(0, coherence.stats().messages());
    }

    @Test
    void broadcastModeCachesOnlyKeysUnderItsPrefixes() {
        Coherence bcast = new Coherence(CoherenceMode.TRACKING, cache, List.of("user:", "s"));
        bcast.trackingOn();
        assertTrue(bcast.mayFill(new PendingFill(bcast, 0, "user:1").epoch));
        assertTrue(bcast.mayFill(new PendingFill(bcast, 0, "session").epoch));
        assertFalse(bcast.mayFill(new PendingFill(bcast, 0, "use").epoch), "shorter than the prefix");
        assertFalse(bcast.mayFill(new PendingFill(bcast, 0, "other:1").epoch), "Redis says nothing of it");
    }

    @Test
    void ttlModeCachesAlwaysAndCountsNothing() {
        Coherence ttl = new Coherence(CoherenceMode.TTL, cache, List.of());
        assertTrue(ttl.caching());
        assertTrue(ttl.mayFill(new PendingFill(ttl, 0, "k").epoch));
        assertEquals(0, ttl.stats().fillsRefused());
    }

    /** A lane whose reads are tracked in the epoch the test sets. */
    private static final class TrackedLane implements UpstreamLane {
        int epoch = -1;

        @Override
        public void send(int database, RespVersion version, ByteBuf frame, ReplyCallback callback) {
            frame.release();
            throw new UnsupportedOperationException("the test sends nothing");
        }

        @Override
        public void sendOutOfBand(RespVersion version, ByteBuf frame, ReplyCallback callback) {
            frame.release();
            throw new UnsupportedOperationException("the test sends nothing");
        }

        @Override
        public EventLoop loop() {
            throw new UnsupportedOperationException("the test has no loop");
        }

        @Override
        public int trackingEpoch(RespVersion version) {
            return epoch;
        }

        @Override
        public DedicatedConnection dedicated(RespVersion version, Consumer<ByteBuf> frames, Consumer<String> lost) {
            throw new UnsupportedOperationException("the test opens nothing");
        }

        @Override
        public void awaitDedicated(Consumer<Boolean> wake) {
            throw new UnsupportedOperationException("the test opens nothing");
        }

        @Override
        public DedicatedConnection subscriber(Consumer<ByteBuf> frames, Consumer<String> lost) {
            throw new UnsupportedOperationException("the test opens nothing");
        }
    }
}
