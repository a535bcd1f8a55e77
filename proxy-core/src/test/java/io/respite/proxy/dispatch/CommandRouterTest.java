package io.respite.proxy.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respite.proxy.admission.Admission;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.coherence.Coherence;
import io.respite.proxy.coherence.CoherenceDriver;
import io.respite.proxy.coherence.CoherenceMode;
import io.respite.proxy.command.Catalog;
import io.respite.proxy.config.AdmissionOptions;
import io.respite.proxy.config.RateLimit;
import io.respite.proxy.session.CommandHandler;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The router and its services through their seams: a fake client ({@link FakeSink}) and a fake
 * upstream ({@link FakeLane}). Every local command, the cache path, write invalidation, and the
 * pinning transitions as commands drive them.
 */
class CommandRouterTest {

    private final StripedLruCache cache =
            StripedLruCache.builder().maxEntries(1000).build();
    private final AtomicReference<Catalog> catalog = new AtomicReference<>(TestCatalog.catalog());
    private final FakeSink sink = new FakeSink();
    private final FakeLane lane = new FakeLane();
    private Coherence coherence = new Coherence(CoherenceMode.TTL, cache, List.of());
    private CommandHandler client = client(new DispatchPolicy(null, 1 << 20, 0, Set.of(), false, false));

    private CommandHandler client(DispatchPolicy policy) {
        return new CommandRouter(cache, catalog, policy, coherence)
                .newClient(sink, lane, Admission.none().unlimitedClient());
    }

    @AfterEach
    void releaseHeld() {
        sink.releaseHeld();
    }

    private void send(String... args) {
        handle(client, args);
    }

    /**
     * The wait for a dedicated connection that the last command began ends, with one free
     * ({@code available}) or after --timeout: the held command comes back to the router.
     */
    private void waitEnds(boolean available) {
        Consumer<Boolean> wake = lane.waiting.poll();
        assertNotNull(wake, "nothing waits for a dedicated connection");
        wake.accept(available);
        RespCommand held = sink.held.remove(sink.held.size() - 1);
        try {
            client.handle(held);
        } finally {
            held.release();
        }
    }

    /** Sends a command that needs a dedicated connection while none is free, and lets the wait run out. */
    private void sendRefused(String... args) {
        int replies = sink.replies.size();
        send(args);
        assertEquals(replies, sink.replies.size(), "held while it waits for a connection");
        waitEnds(false);
    }

    private static void handle(CommandHandler handler, String... args) {
        RespCommand command = RespCommand.of(args);
        try {
            handler.handle(command);
        } finally {
            command.release();
        }
    }

    /** Another client of the same router state (cache, lane, coherence), answering into {@code sink}. */
    private CommandHandler secondClient(FakeSink sink) {
        return new CommandRouter(
                        cache, catalog, new DispatchPolicy(null, 1 << 20, 0, Set.of(), false, false), coherence)
                .newClient(sink, lane, Admission.none().unlimitedClient());
    }

    private ClientContext context() {
        return (ClientContext) client;
    }

    // ---- connection commands --------------------------------------------------------------------

    @Test
    void pingAndEchoAnswerAsRedis() {
        send("PING");
        assertEquals("+PONG\r\n", sink.last());
        send("ping", "hi");
        assertEquals("$2\r\nhi\r\n", sink.last());
        send("PING", "a", "b");
        assertEquals("-ERR wrong number of arguments for 'ping' command\r\n", sink.last());
        send("ECHO", "x");
        assertEquals("$1\r\nx\r\n", sink.last());
        send("ECHO");
        assertEquals("-ERR wrong number of arguments for 'echo' command\r\n", sink.last());
        assertTrue(lane.shared.isEmpty(), "nothing went upstream");
    }

    @Test
    void quitAnswersOkAndClosesAfterTheReplies() {
        send("QUIT");
        assertEquals("+OK\r\n", sink.last());
        assertTrue(sink.closedAfterReplies);
    }

    @Test
    void authWithARequiredPassword() {
        client = client(new DispatchPolicy("secret", 1 << 20, 0, Set.of(), false, false));
        assertTrue(sink.authenticationRequired, "the decoder's tighter limits apply until AUTH");
        send("GET", "k");
        assertEquals("-NOAUTH Authentication required.\r\n", sink.last());
        send("AUTH", "wrong");
        assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n", sink.last());
        send("AUTH", "default", "secret");
        assertEquals("+OK\r\n", sink.last());
        assertFalse(sink.authenticationRequired);
        send("AUTH", "a", "b", "c");
        assertEquals("-ERR syntax error\r\n", sink.last());
    }

    @Test
    void authWithoutAPasswordConfigured() {
        send("AUTH", "x");
        assertEquals(
                "-ERR AUTH <password> called without any password configured for the default user. Are you sure "
                        + "your configuration is correct?\r\n",
                sink.last());
        send("AUTH");
        assertEquals("-ERR wrong number of arguments for 'auth' command\r\n", sink.last());
    }

    @Test
    void helloSwitchesProtocolAndNamesTheClient() {
        send("HELLO", "3", "SETNAME", "app");
        assertTrue(
                sink.last().startsWith("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"),
                sink.last());
        assertEquals(RespVersion.RESP3, context().version());
        assertEquals("app", context().name());
        send("HELLO", "4");
        assertEquals("-NOPROTO unsupported protocol version\r\n", sink.last());
        send("HELLO", "x");
        assertEquals("-ERR Protocol version is not an integer or out of range\r\n", sink.last());
        send("HELLO", "2", "BOGUS");
        assertEquals("-ERR Syntax error in HELLO option 'BOGUS'\r\n", sink.last());
    }

    @Test
    void helloThatChangesProtocolWaitsForRepliesAhead() {
        send("GET", "k");
        send("HELLO", "3");
        assertEquals(1, sink.held.size(), "held until the GET is answered");
        assertEquals(RespVersion.RESP2, context().version());
    }

    @Test
    void selectChecksTheUpstreamsDatabases() {
        send("SELECT", "3");
        assertEquals("+OK\r\n", sink.last());
        assertEquals(3, context().database());
        send("SELECT", "16");
        assertEquals("-ERR DB index is out of range\r\n", sink.last());
        send("SELECT", "x");
        assertEquals("-ERR value is not an integer or out of range\r\n", sink.last());
    }

    @Test
    void clientSubcommandsOfTheOwnConnection() {
        send("CLIENT", "ID");
        assertEquals(":7\r\n", sink.last());
        send("CLIENT", "GETNAME");
        assertEquals("$-1\r\n", sink.last());
        send("CLIENT", "SETNAME", "bad name");
        assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", sink.last());
        send("CLIENT", "SETNAME", "worker");
        assertEquals("+OK\r\n", sink.last());
        send("CLIENT", "GETNAME");
        assertEquals("$6\r\nworker\r\n", sink.last());
        send("CLIENT", "SETINFO", "lib-name", "x");
        assertEquals("+OK\r\n", sink.last());
        send("CLIENT", "INFO");
        String info = sink.last();
        assertTrue(info.contains("id=7 addr=127.0.0.1:50000 laddr=127.0.0.1:6380 fd=-1 name=worker "), info);
        assertTrue(info.contains(" flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 "), info);
        assertTrue(info.contains(" cmd=client user=default redir=-1 resp=2 "), info);
        send("CLIENT", "LIST");
        assertTrue(sink.last().contains("id=7 addr=127.0.0.1:50000 "), "respite's clients: " + sink.last());
        send("CLIENT", "NO-EVICT", "on");
        assertEquals("CLIENT NO-EVICT on", lane.shared.poll().command(), "others are forwarded");
    }

    @Test
    void resetForgetsEverything() {
        send("SELECT", "2");
        send("CLIENT", "SETNAME", "n");
        send("MULTI");
        FakeLane.Dedicated dedicated = lane.onlyDedicated();
        send("RESET");
        assertEquals("+RESET\r\n", sink.last());
        assertTrue(dedicated.closed);
        assertEquals(0, context().database());
        assertNull(context().name());
        assertFalse(context().pinning().pinned());
    }

    @Test
    void replicationIsRefused() {
        send("PSYNC", "?", "-1");
        assertEquals(
                "-ERR respite does not relay replication ('psync'): connect replicas to Redis itself\r\n", sink.last());
    }

    @Test
    void crossProtocolClosesTheClientAtOnce() {
        send("POST", "/", "HTTP/1.1");
        assertTrue(sink.aborted);
        assertTrue(sink.replies.isEmpty());
        assertTrue(lane.shared.isEmpty());
    }

    // ---- the cache path -------------------------------------------------------------------------

    @Test
    void aGetMissIsFilledAndTheNextIsAHit() {
        send("GET", "k");
        assertEquals(1, lane.shared.size());
        lane.shared.poll().answer("$1\r\nv\r\n");
        assertEquals("PTTL k", lane.shared.peek().command(), "the key's expiry is asked for once there is a value");
        lane.shared.poll().answer(":-1\r\n");
        assertEquals("$1\r\nv\r\n", sink.last());
        send("GET", "k");
        assertEquals("$1\r\nv\r\n", sink.last());
        assertTrue(lane.shared.isEmpty(), "the second GET was a hit");
        send("SELECT", "1");
        send("GET", "k");
        assertEquals("GET k", lane.shared.poll().command(), "another database, another key");
    }

    @Test
    void theClientIsAnsweredBeforeTheExpiryArrives() {
        send("GET", "k");
        lane.shared.poll().answer("$1\r\nv\r\n");
        assertEquals("$1\r\nv\r\n", sink.last());
        assertEquals(0, cache.stats().entries(), "not cached until the PTTL is known");
        lane.shared.poll().answer(":-1\r\n");
        assertEquals(1, cache.stats().entries());
    }

    @Test
    void nilAndErrorsAreNotCachedUnlessNilCachingIsOn() {
        send("GET", "k");
        lane.answerRead("$-1\r\n", ":-2\r\n");
        send("GET", "k");
        lane.shared.poll().onFailureSafe();
        send("GET", "k");
        assertEquals(1, lane.shared.size(), "still not cached");
    }

    @Test
    void nilIsCachedWhenAskedAndAnsweredInTheClientsProtocol() {
        client = client(new DispatchPolicy(null, 1 << 20, 0, Set.of(), false, true));
        send("GET", "k");
        lane.answerRead("$-1\r\n", ":-2\r\n");
        send("GET", "k");
        assertEquals("$-1\r\n", sink.last());
        assertTrue(lane.shared.isEmpty(), "a cached nil");
        send("HELLO", "3");
        send("GET", "k");
        assertEquals("_\r\n", sink.last(), "RESP3's null");
        send("SET", "k", "v");
        lane.shared.poll().answer("+OK\r\n");
        send("GET", "k");
        assertEquals("GET k", lane.shared.peek().command(), "the write dropped the cached nil");
    }

    @Test
    void anOlderMgetFillIsNotCachedAfterANewerValueWasServed() {
        send("MGET", "k");
        FakeLane.Sent mget = lane.shared.poll();
        FakeLane.Sent mgetTtl = lane.shared.poll();
        send("GET", "k");
        FakeLane.Sent get = lane.shared.poll();
        assertEquals("GET k", get.command(), "a GET does not join an MGET's read: it reads itself");
        get.answer("$3\r\nnew\r\n");
        assertEquals("$3\r\nnew\r\n", sink.last());
        mget.answer("*1\r\n$3\r\nold\r\n");
        mgetTtl.answer(":-1\r\n");
        lane.shared.poll().answer(":-1\r\n");
        send("GET", "k");
        assertEquals("GET k", lane.shared.peek().command(), "neither read was cached: either may be the older");
    }

    @Test
    void aNilIsCachedOnlyForAKeyThatDoesNotExist() {
        client = client(new DispatchPolicy(null, 1 << 20, 0, Set.of(), false, true));
        send("MGET", "zset");
        lane.shared.poll().answer("*1\r\n$-1\r\n");
        lane.shared.poll().answer(":-1\r\n");
        send("GET", "zset");
        assertEquals("GET zset", lane.shared.peek().command(), "MGET's nil for a key of another type is not cached");
        lane.answerRead("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ":-1\r\n");
        send("GET", "absent");
        lane.shared.poll().answer("$-1\r\n");
        assertTrue(lane.shared.isEmpty(), "GET's nil needs no PTTL: the key does not exist");
        send("GET", "absent");
        assertEquals("$-1\r\n", sink.last());
        assertTrue(lane.shared.isEmpty(), "a cached nil");
    }

    @Test
    void moveLeavesTheCacheInBothDatabases() {
        client = client(new DispatchPolicy(null, 1 << 20, 0, Set.of(), false, true));
        send("SELECT", "3");
        send("GET", "k");
        lane.answerRead("$-1\r\n", ":-2\r\n");
        send("SELECT", "0");
        send("MOVE", "k", "3");
        lane.shared.poll().answer(":1\r\n");
        send("SELECT", "3");
        send("GET", "k");
        assertEquals("GET k", lane.shared.peek().command(), "the nil cached in database 3 went with the MOVE");
    }

    @Test
    void theEntryLivesNoLongerThanTheKey() {
        long[] now = {0};
        StripedLruCache timed =
                StripedLruCache.builder().maxEntries(1000).ticker(() -> now[0]).build();
        CommandHandler timedClient = new CommandRouter(
                        timed, catalog, new DispatchPolicy(null, 1 << 20, 0, Set.of(), false, false), coherence)
                .newClient(sink, lane, Admission.none().unlimitedClient());
        RespCommand get = RespCommand.of("GET", "k");
        try {
            timedClient.handle(get);
            lane.answerRead("$1\r\nv\r\n", ":100\r\n");
            assertEquals(1, timed.stats().entries());
            now[0] += TimeUnit.MILLISECONDS.toNanos(98);
            timedClient.handle(get);
            assertTrue(lane.shared.isEmpty(), "still alive 2 ms before the key's deadline");
            now[0] += TimeUnit.MILLISECONDS.toNanos(2);
            timedClient.handle(get);
            assertEquals("GET k", lane.shared.poll().command(), "gone before the key's deadline");
            lane.shared.poll();
        } finally {
            get.release();
        }
    }

    @Test
    void aValueWhoseKeyVanishedOrIsAboutToExpireIsNotCached() {
        send("GET", "k");
        lane.answerRead("$1\r\nv\r\n", ":-2\r\n");
        send("GET", "k");
        lane.answerRead("$1\r\nv\r\n", ":1\r\n");
        send("GET", "k");
        lane.answerRead("$1\r\nv\r\n", "-ERR odd\r\n");
        assertEquals(0, cache.stats().entries());
    }

    @Test
    void concurrentMissesShareOneRead() {
        FakeSink other = new FakeSink();
        CommandHandler second = secondClient(other);
        send("GET", "k");
        handle(second, "GET", "k");
        assertEquals(1, lane.shared.size(), "the second miss joined the first read");
        lane.shared.poll().answer("$1\r\nv\r\n");
        lane.loopChannel.runPendingTasks();
        assertEquals("$1\r\nv\r\n", other.last(), "answered with the value, before its PTTL is back");
        lane.shared.poll().answer(":-1\r\n");
        assertEquals("$1\r\nv\r\n", sink.last());
        assertEquals("$1\r\nv\r\n", other.last(), "the joined miss got the same reply, on its loop");
        assertEquals(1, cache.stats().coalesced());
        other.releaseHeld();
    }

    @Test
    void aJoinedMissReadsForItselfWhenTheFirstReadFails() {
        FakeSink other = new FakeSink();
        CommandHandler second = secondClient(other);
        send("GET", "k");
        handle(second, "GET", "k");
        lane.shared.poll().onFailureSafe();
        lane.loopChannel.runPendingTasks();
        FakeLane.Sent own = lane.shared.poll();
        assertEquals("GET k", own.command(), "the joined miss read the key itself");
        own.answer("$1\r\nw\r\n");
        assertEquals("$1\r\nw\r\n", other.last());
        other.releaseHeld();
    }

    @Test
    void aJoinedMissGetsTheFirstReadsReplyEvenWhenItIsNotCached() {
        FakeSink other = new FakeSink();
        CommandHandler second = secondClient(other);
        send("GET", "list");
        handle(second, "GET", "list");
        String wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
        lane.shared.poll().answer(wrongType);
        lane.loopChannel.runPendingTasks();
        assertEquals(wrongType, other.last(), "the same reply, not a read of its own behind later commands");
        assertTrue(lane.shared.isEmpty());
        other.releaseHeld();
    }

    @Test
    void aJoinedMissThatReadsForItselfReadsInTheDatabaseItAskedIn() {
        FakeSink other = new FakeSink();
        CommandHandler second = secondClient(other);
        send("GET", "k");
        handle(second, "GET", "k");
        handle(second, "SELECT", "2");
        lane.shared.poll().onFailureSafe();
        lane.loopChannel.runPendingTasks();
        assertEquals(0, lane.shared.poll().database(), "not the database the client moved on to");
        other.releaseHeld();
    }

    @Test
    void aJoinedMissDoesNotGetAValueOlderThanAWriteItFollows() {
        send("GET", "k");
        FakeLane.Sent read = lane.shared.poll();
        send("SET", "k", "new");
        lane.shared.poll().answer("+OK\r\n");
        send("GET", "k");
        FakeLane.Sent reread = lane.shared.poll();
        assertEquals("GET k", reread.command(), "the write staled the flight: nothing to join");
        read.answer("$3\r\nold\r\n");
        reread.answer("$3\r\nnew\r\n");
        lane.shared.poll().answer(":-1\r\n");
        lane.shared.poll().answer(":-1\r\n");
        send("GET", "k");
        assertEquals("GET k", lane.shared.peek().command(), "two reads that disagree: neither is cached");
    }

    /** Tracking mode, with Redis tracking the lane's reads. */
    private void tracking() {
        coherence = new Coherence(CoherenceMode.TRACKING, cache, List.of());
        lane.trackingEpoch = CoherenceDriver.trackingOn(coherence);
        client = client(new DispatchPolicy(null, 1 << 20, 0, Set.of(), false, true));
    }

    @Test
    void anInvalidationBeforeTheFillsReplyLeavesNothingCached() {
        tracking();
        send("GET", "k");
        FakeLane.Sent read = lane.shared.poll();
        CoherenceDriver.invalidate(coherence, "k");
        read.answer("$3\r\nold\r\n");
        assertEquals("$3\r\nold\r\n", sink.last(), "the client still gets the reply it asked for");
        lane.shared.poll().answer(":-1\r\n");
        send("GET", "k");
        assertEquals("GET k", lane.shared.peek().command(), "nothing of the fill was cached");
    }

    @Test
    void anInvalidationBetweenTheValueAndItsPttlLeavesNothingCached() {
        tracking();
        send("GET", "k");
        lane.shared.poll().answer("$3\r\nold\r\n");
        CoherenceDriver.invalidate(coherence, "k");
        lane.shared.poll().answer(":-1\r\n");
        send("GET", "k");
        assertEquals("GET k", lane.shared.peek().command());
    }

    @Test
    void anInvalidationAfterTheFillRemovesTheEntry() {
        tracking();
        send("GET", "k");
        lane.answerRead("$3\r\nold\r\n");
        send("GET", "k");
        assertTrue(lane.shared.isEmpty(), "cached");
        CoherenceDriver.invalidate(coherence, "k");
        send("GET", "k");
        assertEquals("GET k", lane.shared.peek().command(), "gone with the invalidation");
    }

    @Test
    void aCachedNilGoesWithTheInvalidationOfItsKey() {
        tracking();
        send("GET", "k");
        lane.shared.poll().answer("$-1\r\n");
        send("GET", "k");
        assertTrue(lane.shared.isEmpty(), "the nil is cached");
        CoherenceDriver.invalidate(coherence, "k");
        send("GET", "k");
        assertEquals("GET k", lane.shared.peek().command());
    }

    @Test
    void aFillInFlightWhenTheStreamIsLostIsNotCachedNorAnyAfterUntilTrackingIsBack() {
        tracking();
        send("GET", "k");
        FakeLane.Sent read = lane.shared.poll();
        CoherenceDriver.streamDown(coherence, "connection closed");
        read.answer("$3\r\nold\r\n");
        lane.shared.poll().answer(":-1\r\n");
        send("GET", "k");
        lane.answerRead("$3\r\nold\r\n");
        send("GET", "k");
        assertEquals("GET k", lane.shared.peek().command(), "no caching while the stream is down");
        lane.answerRead("$3\r\nold\r\n");
        lane.trackingEpoch = CoherenceDriver.trackingOn(coherence);
        send("GET", "k");
        lane.answerRead("$3\r\nold\r\n");
        send("GET", "k");
        assertTrue(lane.shared.isEmpty(), "caching again once tracking is back");
    }

    @Test
    void inTrackingModeOnlyTrackedReadsAreCached() {
        coherence = new Coherence(CoherenceMode.TRACKING, cache, List.of());
        client = client(new DispatchPolicy(null, 1 << 20, 0, Set.of(), false, true));
        send("GET", "k");
        lane.answerRead("$1\r\nv\r\n");
        send("GET", "k");
        assertEquals(1, lane.shared.size(), "not cached while Redis does not track respite's reads");
        assertEquals(1, coherence.stats().fillsRefused());
    }

    @Test
    void aWriteInvalidatesWhenSentAndWhenAnswered() {
        send("GET", "k");
        lane.answerRead("$3\r\nold\r\n");
        send("SET", "k", "new");
        FakeLane.Sent set = lane.shared.poll();
        send("GET", "k");
        FakeLane.Sent read = lane.shared.poll();
        assertEquals("GET k", read.command(), "the write made the next GET miss");
        set.answer("+OK\r\n");
        read.answer("$3\r\nnew\r\n");
        lane.shared.poll().answer(":-1\r\n");
        send("GET", "k");
        assertEquals(
                "GET k",
                lane.shared.peek().command(),
                "the read sent before the write was answered is not trusted: the answer invalidated again");
        lane.answerRead("$3\r\nnew\r\n");
        send("GET", "k");
        assertEquals("$3\r\nnew\r\n", sink.last());
        assertTrue(lane.shared.isEmpty(), "a read after the write's answer is cached");
    }

    @Test
    void aFillRacingAWriteInstallsNothing() {
        send("GET", "k");
        FakeLane.Sent read = lane.shared.poll();
        send("SET", "k", "new");
        read.answer("$3\r\nold\r\n");
        lane.shared.poll().answer("+OK\r\n");
        lane.shared.poll().answer(":-1\r\n");
        send("GET", "k");
        assertEquals("GET k", lane.shared.poll().command(), "the stale fill was dropped");
    }

    @Test
    void aWriteWithoutKeysEmptiesTheCache() {
        send("GET", "k");
        lane.answerRead("$1\r\nv\r\n");
        send("FLUSHALL");
        send("GET", "k");
        assertEquals("FLUSHALL", lane.shared.poll().command());
        assertEquals("GET k", lane.shared.poll().command());
    }

    @Test
    void mgetTakesHitsFromTheCacheAndAsksForTheRest() {
        send("GET", "a");
        lane.answerRead("$1\r\n1\r\n");
        send("MGET", "a", "b", "c");
        FakeLane.Sent rest = lane.shared.poll();
        assertEquals("MGET b c", rest.command());
        rest.answer("*2\r\n$1\r\n2\r\n$-1\r\n");
        assertEquals("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n", sink.last());
        FakeLane.Sent ttlB = lane.shared.poll();
        assertEquals("PTTL b", ttlB.command());
        ttlB.answer(":-1\r\n");
        lane.shared.poll().answer(":-2\r\n");
        send("MGET", "a", "b");
        assertEquals("*2\r\n$1\r\n1\r\n$1\r\n2\r\n", sink.last());
        assertTrue(lane.shared.isEmpty(), "all hits");
    }

    @Test
    void nothingIsCachedBeforeTheTableIsLoaded() {
        catalog.set(null);
        send("GET", "k");
        lane.shared.poll().answer("$1\r\nv\r\n");
        send("GET", "k");
        assertEquals(1, lane.shared.size());
    }

    // ---- pinning ------------------------------------------------------------------------------

    @Test
    void aTransactionRunsOnTheDedicatedConnectionAndInvalidatesAtExec() {
        send("GET", "k");
        lane.answerRead("$1\r\nv\r\n");
        send("MULTI");
        FakeLane.Dedicated dedicated = lane.onlyDedicated();
        assertEquals(Pinning.State.TRANSACTION, context().pinning().state());
        dedicated.sent.poll().answer("+OK\r\n");
        send("SET", "k", "w");
        dedicated.sent.poll().answer("+QUEUED\r\n");
        send("GET", "k");
        assertEquals("GET k", dedicated.sent.peekLast().command(), "a pinned client's reads go with it");
        dedicated.sent.poll().answer("+QUEUED\r\n");
        send("EXEC");
        assertEquals(Pinning.State.SETTLING, context().pinning().state());
        dedicated.sent.poll().answer("*2\r\n+OK\r\n$1\r\nw\r\n");
        assertEquals(Pinning.State.SHARED, context().pinning().state());
        send("GET", "k");
        assertEquals("GET k", lane.shared.poll().command(), "the transaction's write left the cache");
    }

    @Test
    void movingToTheDedicatedConnectionWaitsForRepliesAhead() {
        send("GET", "k");
        send("MULTI");
        assertEquals(1, sink.held.size());
        assertTrue(lane.dedicated.isEmpty());
    }

    @Test
    void blockingCommandsAreUntimedAndUnpinWhenAnswered() {
        send("BLPOP", "q", "0");
        FakeLane.Sent blpop = lane.onlyDedicated().sent.poll();
        assertFalse(blpop.timed(), "BLPOP keeps its own timeout");
        assertEquals(Pinning.State.SETTLING, context().pinning().state());
        blpop.answer("*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
        assertEquals(Pinning.State.SHARED, context().pinning().state());
        assertEquals(Boolean.TRUE, lane.onlyDedicated().releasedClean, "given back as soon as it is answered");
        send("XREAD", "STREAMS", "s", "0");
        assertTrue(lane.dedicated.get(1).sent.poll().timed(), "XREAD without BLOCK does not block");
    }

    @Test
    void aTransactionGivesItsConnectionBackWhenExecIsAnswered() {
        send("MULTI");
        FakeLane.Dedicated dedicated = lane.onlyDedicated();
        send("SET", "k", "v");
        send("EXEC");
        dedicated.sent.poll().answer("+OK\r\n");
        dedicated.sent.poll().answer("+QUEUED\r\n");
        assertNull(dedicated.releasedClean, "held until the last reply");
        dedicated.sent.poll().answer("*1\r\n+OK\r\n");
        assertEquals(Boolean.TRUE, dedicated.releasedClean);
        assertFalse(context().pinning().pinned());
    }

    @Test
    void aConnectionWhoseStateChangedIsGivenBackToBeReset() {
        send("MULTI");
        FakeLane.Dedicated dedicated = lane.onlyDedicated();
        send("SELECT", "3");
        send("SET", "k", "v");
        send("EXEC");
        assertEquals("SELECT 3", dedicated.sent.toArray(FakeLane.Sent[]::new)[1].command(), "queued, as on Redis");
        assertEquals(0, context().database(), "SELECT inside MULTI takes effect at EXEC");
        dedicated.sent.poll().answer("+OK\r\n");
        dedicated.sent.poll().answer("+QUEUED\r\n");
        dedicated.sent.poll().answer("+QUEUED\r\n");
        dedicated.sent.poll().answer("*2\r\n+OK\r\n+OK\r\n");
        assertEquals(3, context().database(), "the transaction ran: the client is in database 3");
        assertEquals(Boolean.FALSE, dedicated.releasedClean, "reset before it is leased again");
    }

    @Test
    void aSelectInsideATransactionThatDidNotRunLeavesTheDatabase() {
        send("WATCH", "k");
        FakeLane.Dedicated dedicated = lane.onlyDedicated();
        dedicated.sent.poll().answer("+OK\r\n");
        send("MULTI");
        send("SELECT", "3");
        send("EXEC");
        dedicated.sent.poll().answer("+OK\r\n");
        dedicated.sent.poll().answer("+QUEUED\r\n");
        dedicated.sent.poll().answer("*-1\r\n");
        assertEquals(0, context().database(), "the WATCH failed: nothing ran");
    }

    @Test
    void connectionCommandsWhileWatchingAreAnsweredHere() {
        send("WATCH", "k");
        FakeLane.Dedicated dedicated = lane.onlyDedicated();
        dedicated.sent.poll().answer("+OK\r\n");
        send("SELECT", "2");
        assertEquals("+OK\r\n", sink.last());
        assertEquals(2, context().database());
        send("CLIENT", "SETNAME", "worker");
        assertEquals("+OK\r\n", sink.last());
        send("HELLO", "3");
        assertTrue(sink.last().startsWith("-ERR respite cannot switch protocols"), sink.last());
        send("GET", "k");
        assertEquals(2, dedicated.sent.poll().database(), "the next command runs in the database selected");
        assertTrue(dedicated.sent.isEmpty(), "SELECT and CLIENT SETNAME stayed here");
    }

    @Test
    void authInsideATransactionIsRefusedAndAbortsIt() {
        send("MULTI");
        FakeLane.Dedicated dedicated = lane.onlyDedicated();
        dedicated.sent.poll().answer("+OK\r\n");
        send("AUTH", "pw");
        assertTrue(sink.last().startsWith("-ERR respite does not queue AUTH inside MULTI"), sink.last());
        send("EXEC");
        FakeLane.Sent discard = dedicated.sent.poll();
        assertEquals("DISCARD", discard.command());
        discard.answer("+OK\r\n");
        assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", sink.last());
    }

    @Test
    void aRequestOverTheRateLimitIsRefusedInOrderAndInsideMultiAbortsTheTransaction() {
        AtomicLong clock = new AtomicLong();
        Admission admission = new Admission(new AdmissionOptions(0, 0, new RateLimit(1, 3), null), clock::get);
        client = new CommandRouter(
                        cache, catalog, new DispatchPolicy(null, 1 << 20, 0, Set.of(), false, false), coherence)
                .newClient(sink, lane, admission.newClient());
        send("MULTI");
        FakeLane.Dedicated dedicated = lane.onlyDedicated();
        dedicated.sent.poll().answer("+OK\r\n");
        send("SET", "a", "1");
        dedicated.sent.poll().answer("+QUEUED\r\n");
        send("SET", "b", "2");
        dedicated.sent.poll().answer("+QUEUED\r\n");
        send("SET", "c", "3");
        assertEquals("-ERR rate limit exceeded\r\n", sink.last());
        assertTrue(dedicated.sent.isEmpty(), "never reaches Redis");
        assertEquals(1, admission.stats().rateLimitedClient());
        clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        send("EXEC");
        FakeLane.Sent discard = dedicated.sent.poll();
        assertEquals("DISCARD", discard.command());
        discard.answer("+OK\r\n");
        assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", sink.last());
    }

    @Test
    void aClientThatLeavesMidCommandClosesItsConnectionAndOneThatLeavesWatchingGivesItBack() {
        send("BLPOP", "q", "0");
        client.closed();
        assertTrue(lane.onlyDedicated().closed, "a reply was still due: its state is unknown");
        client = client(new DispatchPolicy(null, 1 << 20, 0, Set.of(), false, false));
        send("WATCH", "k");
        FakeLane.Dedicated watching = lane.dedicated.get(1);
        watching.sent.poll().answer("+OK\r\n");
        client.closed();
        assertEquals(Boolean.FALSE, watching.releasedClean, "nothing due: given back, to be reset");
    }

    @Test
    void aCommandWaitsForAConnectionWhenAllAreBusy() {
        lane.dedicatedLeft = 0;
        send("MULTI");
        assertTrue(sink.replies.isEmpty(), "held, not refused");
        lane.dedicatedLeft = 1;
        waitEnds(true);
        assertEquals("MULTI", lane.onlyDedicated().sent.poll().command());
        assertEquals(Pinning.State.TRANSACTION, context().pinning().state());
    }

    @Test
    void watchPinsUntilUnwatch() {
        send("WATCH", "k");
        lane.onlyDedicated().sent.poll().answer("+OK\r\n");
        assertEquals(Pinning.State.WATCHING, context().pinning().state());
        send("UNWATCH");
        lane.onlyDedicated().sent.poll().answer("+OK\r\n");
        assertEquals(Pinning.State.SHARED, context().pinning().state());
    }

    @Test
    void monitorRelaysForGoodAndPausesWithTheClient() {
        send("MONITOR");
        FakeLane.Dedicated dedicated = lane.onlyDedicated();
        assertNull(dedicated.sent.poll().callback(), "relayed: frames go to the client as they come");
        assertTrue(context().pinning().relaying());
        client.writabilityChanged(false);
        assertTrue(dedicated.readingPaused, "a subscriber that does not read holds its messages in Redis");
        client.writabilityChanged(true);
        assertFalse(dedicated.readingPaused);
        send("QUIT");
        assertEquals("+OK\r\n", sink.last());
        assertTrue(sink.closedAfterReplies);
    }

    @Test
    void clientReplyRelaysUntimed() {
        send("CLIENT", "REPLY", "OFF");
        FakeLane.Sent sent = lane.onlyDedicated().sent.poll();
        assertNull(sent.callback());
        send("SET", "a", "1");
        assertFalse(lane.onlyDedicated().sent.poll().timed(), "after CLIENT REPLY no frame may come back");
    }

    @Test
    void aLostDedicatedConnectionClosesTheClient() {
        send("MONITOR");
        lane.onlyDedicated().lost.accept("ERR upstream unavailable (timeout after 5000 ms)");
        assertEquals("-ERR upstream unavailable (timeout after 5000 ms)\r\n", sink.last(), "a monitor is told why");
        assertTrue(sink.closedAfterReplies);
        assertFalse(context().pinning().pinned());
    }

    @Test
    void beyondMaxPinnedTheClientIsTold() {
        lane.dedicatedLeft = 0;
        sendRefused("MULTI");
        assertTrue(sink.last().startsWith("-ERR max number of pinned connections reached"), sink.last());
        assertFalse(context().pinning().pinned());
    }

    @Test
    void commandsThatUnstickABusyRedisGoOutOfBand() {
        for (String[] args : List.of(
                new String[] {"SCRIPT", "KILL"},
                new String[] {"function", "kill"},
                new String[] {"SHUTDOWN", "NOSAVE"},
                new String[] {"CLIENT", "KILL", "ID", "7"},
                new String[] {"CLIENT", "UNBLOCK", "7"},
                new String[] {"CLIENT", "PAUSE", "100"},
                new String[] {"CLIENT", "UNPAUSE"})) {
            send(args);
            FakeLane.Sent sent = lane.outOfBand.poll();
            assertEquals(String.join(" ", args), sent.command());
            sent.answer("+OK\r\n");
            assertEquals("+OK\r\n", sink.last());
        }
        send("SCRIPT", "FLUSH");
        assertEquals("SCRIPT FLUSH", lane.shared.poll().command(), "not every SCRIPT subcommand");
        assertTrue(lane.outOfBand.isEmpty());
    }

    @Test
    void insideATransactionTheyAreQueuedAsRedisWouldQueueThem() {
        send("MULTI");
        FakeLane.Dedicated dedicated = lane.onlyDedicated();
        dedicated.sent.poll().answer("+OK\r\n");
        send("SCRIPT", "KILL");
        assertEquals("SCRIPT KILL", dedicated.sent.poll().command());
        assertTrue(lane.outOfBand.isEmpty());
    }

    @Test
    void aRefusedMultiRunsNothingOfItsTransaction() {
        lane.dedicatedLeft = 0;
        sendRefused("MULTI");
        send("INCR", "counter");
        assertTrue(sink.last().startsWith("-ERR not queued: the transaction could not begin"), sink.last());
        send("PING");
        assertTrue(sink.last().startsWith("-ERR not queued"), "queued in Redis: refused here");
        send("MULTI");
        assertEquals("-ERR MULTI calls can not be nested\r\n", sink.last());
        send("EXEC");
        assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", sink.last());
        assertTrue(lane.shared.isEmpty(), "nothing reached Redis");
        send("INCR", "counter");
        assertEquals("INCR counter", lane.shared.poll().command(), "after EXEC, commands run again");
    }

    @Test
    void aRefusedMultiEndsWithDiscardOrReset() {
        lane.dedicatedLeft = 0;
        sendRefused("MULTI");
        send("DISCARD");
        assertEquals("+OK\r\n", sink.last());
        assertEquals(Pinning.State.SHARED, context().pinning().state());
        sendRefused("MULTI");
        send("RESET");
        assertEquals("+RESET\r\n", sink.last());
        assertEquals(Pinning.State.SHARED, context().pinning().state());
    }

    @Test
    void aRefusedWatchRefusesTheTransactionThatReliesOnIt() {
        lane.dedicatedLeft = 0;
        sendRefused("WATCH", "k");
        assertTrue(sink.last().startsWith("-ERR max number of pinned connections reached"), sink.last());
        send("GET", "k");
        assertEquals("GET k", lane.shared.poll().command(), "reads go on as usual");
        lane.dedicatedLeft = 1;
        send("MULTI");
        assertTrue(sink.last().startsWith("-ERR a WATCH of this connection could not be kept"), sink.last());
        send("SET", "k", "v");
        send("EXEC");
        assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", sink.last());
        assertTrue(lane.shared.isEmpty() && lane.dedicated.isEmpty(), "the SET never ran");
    }

    @Test
    void unwatchEndsARefusedWatch() {
        lane.dedicatedLeft = 0;
        sendRefused("WATCH", "k");
        send("BLPOP", "list", "0");
        assertTrue(sink.last().startsWith("-ERR a WATCH of this connection could not be kept"), sink.last());
        send("UNWATCH");
        assertEquals("+OK\r\n", sink.last());
        lane.dedicatedLeft = 1;
        send("MULTI");
        assertEquals(Pinning.State.TRANSACTION, context().pinning().state());
    }

    @Test
    void aDeniedCommandInsideMultiAbortsTheTransaction() {
        client = client(new DispatchPolicy(null, 1 << 20, 0, Set.of("flushall"), false, false));
        send("FLUSHALL");
        assertEquals("-ERR unknown command 'FLUSHALL', with args beginning with: \r\n", sink.last());
        send("MULTI");
        FakeLane.Dedicated dedicated = lane.onlyDedicated();
        dedicated.sent.poll().answer("+OK\r\n");
        send("FLUSHALL");
        send("EXEC");
        FakeLane.Sent discard = dedicated.sent.poll();
        assertEquals("DISCARD", discard.command(), "the upstream's transaction is discarded instead");
        discard.answer("+OK\r\n");
        assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", sink.last());
        assertFalse(context().pinning().pinned());
    }

    @Test
    void configGetIsRedactedWhenRespiteHoldsTheUpstreamsCredentials() {
        client = client(new DispatchPolicy(null, 1 << 20, 0, Set.of(), true, false));
        send("CONFIG", "GET", "requirepass");
        lane.shared.poll().answer("*2\r\n$11\r\nrequirepass\r\n$2\r\npw\r\n");
        assertEquals("*2\r\n$11\r\nrequirepass\r\n$21\r\n(redacted by respite)\r\n", sink.last());
        send("MONITOR");
        send("CONFIG", "GET", "requirepass");
        assertTrue(sink.last().startsWith("-ERR respite does not relay CONFIG GET"), sink.last());
    }

    // ---- pub/sub ---------------------------------------------------------------------------------

    private static ByteBuf push(String... elements) {
        StringBuilder frame = new StringBuilder(">" + elements.length + "\r\n");
        for (String element : elements) {
            frame.append(
                    element.startsWith(":") ? element + "\r\n" : "$" + element.length() + "\r\n" + element + "\r\n");
        }
        return Unpooled.copiedBuffer(frame, StandardCharsets.UTF_8);
    }

    @Test
    void subscriptionsShareTheLoopsSubscriberConnectionAndAreConfirmedByRedis() {
        CommandRouter router = new CommandRouter(
                cache, catalog, new DispatchPolicy(null, 1 << 20, 0, Set.of(), false, false), coherence);
        client = router.newClient(sink, lane, Admission.none().unlimitedClient());
        send("SUBSCRIBE", "a", "b");
        FakeLane.Dedicated upstream = lane.subscribers.get(0);
        assertEquals(
                List.of("subscribe a", "subscribe b"),
                upstream.sent.stream().map(FakeLane.Sent::command).toList());
        assertTrue(lane.dedicated.isEmpty(), "no connection of the client's own");
        assertNull(sink.replies.get(0), "not confirmed before Redis confirms");
        upstream.frames.accept(push("subscribe", "a", ":1"));
        assertEquals("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n", sink.replies.get(0));
        upstream.frames.accept(push("subscribe", "b", ":2"));
        assertEquals("*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n", sink.replies.get(1));
        assertTrue(sink.subscriberLimits, "under a subscriber's output limits");

        FakeSink otherSink = new FakeSink();
        CommandHandler other =
                router.newClient(otherSink, lane, Admission.none().unlimitedClient());
        handle(other, "HELLO", "3");
        handle(other, "SUBSCRIBE", "a");
        assertEquals(2, upstream.sent.size(), "a is held upstream already");
        assertEquals(">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n", otherSink.last(), "RESP3: a push, at once");

        upstream.frames.accept(push("message", "a", "hi"));
        assertEquals(List.of("*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n"), sink.relayed, "RESP2: an array");
        assertEquals(List.of(">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n"), otherSink.relayed);

        send("UNSUBSCRIBE", "a");
        assertEquals("*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n", sink.last());
        assertEquals(2, upstream.sent.size(), "the other client still holds a");
        handle(other, "UNSUBSCRIBE");
        assertEquals("unsubscribe a", upstream.sent.peekLast().command(), "the last one out unsubscribes upstream");
        assertEquals(">3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n", otherSink.last());
        handle(other, "UNSUBSCRIBE");
        assertEquals(">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n", otherSink.last(), "none left: a nil name");
    }

    @Test
    void aRespTwoSubscriberMayOnlyRunWhatRedisAllows() {
        send("PSUBSCRIBE", "n*");
        lane.subscribers.get(0).frames.accept(push("psubscribe", "n*", ":1"));
        send("GET", "k");
        assertEquals(
                "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed "
                        + "in this context\r\n",
                sink.last());
        send("PING");
        FakeLane.Dedicated upstream = lane.subscribers.get(0);
        assertEquals("PING", upstream.sent.pollLast().command(), "asked upstream, so a dead upstream shows");
        assertNull(sink.last());
        upstream.frames.accept(Unpooled.copiedBuffer("+PONG\r\n", StandardCharsets.UTF_8));
        assertEquals("*2\r\n$4\r\npong\r\n$0\r\n\r\n", sink.last());
        send("PING", "x");
        upstream.sent.pollLast();
        upstream.frames.accept(Unpooled.copiedBuffer("+PONG\r\n", StandardCharsets.UTF_8));
        assertEquals("*2\r\n$4\r\npong\r\n$1\r\nx\r\n", sink.last());
        send("SSUBSCRIBE", "s");
        assertEquals("ssubscribe s", lane.subscribers.get(0).sent.peekLast().command());
        lane.subscribers.get(0).frames.accept(push("ssubscribe", "s", ":1"));
        assertEquals("*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n", sink.last(), "shard channels count apart");
        send("RESET");
        assertEquals("+RESET\r\n", sink.last());
        assertEquals(
                "punsubscribe n*",
                lane.subscribers.get(0).sent.toArray(FakeLane.Sent[]::new)[2].command());
        assertFalse(sink.subscriberLimits);
        send("GET", "k");
        assertEquals("GET k", lane.shared.poll().command(), "out of subscribed mode");
    }

    @Test
    void shardChannelsAreHeldByTheConnectionOfTheirShard() {
        FakeLane node = new FakeLane();
        lane.shards.put("far", node);
        send("SSUBSCRIBE", "far");
        assertTrue(lane.subscribers.isEmpty(), "not on the loop's subscriber connection");
        FakeLane.Dedicated shard = node.subscribers.get(0);
        assertEquals("ssubscribe far", shard.sent.peekLast().command());
        shard.frames.accept(push("ssubscribe", "far", ":1"));
        assertEquals("*3\r\n$10\r\nssubscribe\r\n$3\r\nfar\r\n:1\r\n", sink.last());
        send("SSUBSCRIBE", "far", "near");
        assertEquals("-CROSSSLOT Keys in request don't hash to the same slot\r\n", sink.last());
        assertEquals(1, shard.sent.size(), "nothing asked of Redis");
        send("SUBSCRIBE", "news");
        FakeLane.Dedicated loop = lane.subscribers.get(0);
        loop.frames.accept(push("subscribe", "news", ":1"));
        assertEquals("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", sink.last());

        shard.frames.accept(push("smessage", "far", "hi"));
        assertEquals(List.of("*3\r\n$8\r\nsmessage\r\n$3\r\nfar\r\n$2\r\nhi\r\n"), sink.relayed);
        send("PING");
        assertEquals(
                "PING",
                loop.sent.peekLast().command(),
                "a connection holding one of its subscriptions: its channels' first");

        send("SUNSUBSCRIBE", "far", "near");
        assertEquals("-CROSSSLOT Keys in request don't hash to the same slot\r\n", sink.last());

        // The shard's connection breaks: the client goes, and gives its channel on the loop's back.
        shard.lost.accept("ERR upstream unavailable (connection closed)");
        assertTrue(sink.closedAfterReplies);
        assertEquals("unsubscribe news", loop.sent.peekLast().command());
        assertEquals(1, lane.shardLosses, "the topology is looked at again: the node may have failed");
    }

    @Test
    void aShardSubscriptionLetGoOfBeforeItsMovedIsAnsweredAsRedisWouldHave() {
        send("SSUBSCRIBE", "s");
        send("SUNSUBSCRIBE", "s");
        FakeLane.Dedicated stale = lane.subscribers.get(0);
        assertEquals(
                List.of("ssubscribe s", "sunsubscribe s"),
                stale.sent.stream().map(FakeLane.Sent::command).toList());
        stale.frames.accept(Unpooled.copiedBuffer("-MOVED 1 127.0.0.1:7001\r\n", StandardCharsets.UTF_8));
        assertEquals(List.of("MOVED 1 127.0.0.1:7001"), lane.redirections, "the slot's owner is learnt");
        assertEquals(
                List.of(
                        "*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n",
                        "*3\r\n$12\r\nsunsubscribe\r\n$1\r\ns\r\n:0\r\n"),
                sink.replies,
                "subscribed, then unsubscribed: no MOVED for the client");
    }

    @Test
    void theMovedOfAnUnsubscribeWhoseSlotLeftIsNotTakenForAPong() {
        send("SSUBSCRIBE", "s");
        FakeLane.Dedicated upstream = lane.subscribers.get(0);
        upstream.frames.accept(push("ssubscribe", "s", ":1"));
        send("SUNSUBSCRIBE", "s");
        send("SSUBSCRIBE", "t");
        upstream.frames.accept(push("ssubscribe", "t", ":1"));
        send("PING");
        assertEquals("PING", upstream.sent.peekLast().command());
        // The slot of s leaves the node: its push first, then the MOVED of respite's SUNSUBSCRIBE.
        upstream.frames.accept(push("sunsubscribe", "s", ":1"));
        upstream.frames.accept(Unpooled.copiedBuffer("-MOVED 1 127.0.0.1:7001\r\n", StandardCharsets.UTF_8));
        upstream.frames.accept(Unpooled.copiedBuffer("+PONG\r\n", StandardCharsets.UTF_8));
        assertEquals("*2\r\n$4\r\npong\r\n$0\r\n\r\n", sink.last(), "the PING gets its own answer");
    }

    @Test
    void aShardSubscriptionRedisRedirectsIsAskedOfTheSlotsNewOwner() {
        send("SSUBSCRIBE", "s");
        FakeLane.Dedicated stale = lane.subscribers.get(0);
        FakeLane node = new FakeLane();
        lane.shards.put("s", node);
        stale.frames.accept(Unpooled.copiedBuffer("-MOVED 1 127.0.0.1:7001\r\n", StandardCharsets.UTF_8));
        assertEquals(List.of("MOVED 1 127.0.0.1:7001"), lane.redirections);
        assertNull(sink.replies.get(0), "the client sees no redirection");
        FakeLane.Dedicated owner = node.subscribers.get(0);
        assertEquals("ssubscribe s", owner.sent.peekLast().command());
        owner.frames.accept(push("ssubscribe", "s", ":1"));
        assertEquals(List.of("*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n"), sink.replies);
        send("SUNSUBSCRIBE");
        assertEquals("sunsubscribe s", owner.sent.peekLast().command(), "given back where it is held");

        send("SSUBSCRIBE", "t");
        stale.frames.accept(Unpooled.copiedBuffer("-CLUSTERDOWN The cluster is down\r\n", StandardCharsets.UTF_8));
        assertEquals("-CLUSTERDOWN The cluster is down\r\n", sink.last(), "not a redirection: the client is told");
        send("SSUBSCRIBE", "t");
        assertEquals("ssubscribe t", stale.sent.peekLast().command(), "forgotten, so asked again");
    }

    @Test
    void aShardChannelRedisUnsubscribesByItselfIsToldAsRedisTellsIt() {
        CommandRouter router = new CommandRouter(
                cache, catalog, new DispatchPolicy(null, 1 << 20, 0, Set.of(), false, false), coherence);
        client = router.newClient(sink, lane, Admission.none().unlimitedClient());
        send("SSUBSCRIBE", "s", "t");
        FakeLane.Dedicated upstream = lane.subscribers.get(0);
        upstream.frames.accept(push("ssubscribe", "s", ":1"));
        upstream.frames.accept(push("ssubscribe", "t", ":2"));
        FakeSink otherSink = new FakeSink();
        CommandHandler other =
                router.newClient(otherSink, lane, Admission.none().unlimitedClient());
        handle(other, "HELLO", "3");
        handle(other, "SSUBSCRIBE", "s");
        send("SUNSUBSCRIBE", "t");
        assertEquals("sunsubscribe t", upstream.sent.peekLast().command());

        // The slot of s left the node: Redis says so before it confirms the unsubscribe of t.
        upstream.frames.accept(push("sunsubscribe", "s", ":1"));
        assertEquals(List.of("*3\r\n$12\r\nsunsubscribe\r\n$1\r\ns\r\n:0\r\n"), sink.relayed);
        assertEquals(List.of(">3\r\n$12\r\nsunsubscribe\r\n$1\r\ns\r\n:0\r\n"), otherSink.relayed);
        assertFalse(sink.subscriberLimits, "no subscription left");
        upstream.frames.accept(push("sunsubscribe", "t", ":0"));
        assertEquals(1, sink.relayed.size(), "the confirmation of respite's own unsubscribe is nobody's news");
        send("SSUBSCRIBE", "s");
        assertEquals("ssubscribe s", upstream.sent.peekLast().command(), "asked again, of the owner as now known");
    }

    @Test
    void aLostSubscriberConnectionClosesItsSubscribers() {
        send("SUBSCRIBE", "a");
        lane.subscribers.get(0).lost.accept("ERR upstream unavailable (connection closed)");
        assertEquals(
                "-ERR upstream unavailable (connection closed)\r\n", sink.replies.get(0), "the pending confirmation");
        assertEquals("-ERR upstream unavailable (connection closed)\r\n", sink.last());
        assertTrue(sink.closedAfterReplies);
    }

    @Test
    void aMonitorDoesNotSeeTheSelectsRespiteSendsForItself() {
        send("MONITOR");
        FakeLane.Dedicated dedicated = lane.onlyDedicated();
        dedicated.frames.accept(Unpooled.copiedBuffer("+OK\r\n", StandardCharsets.UTF_8));
        dedicated.frames.accept(
                Unpooled.copiedBuffer("+1.2 [5 127.0.0.1:40000] \"SELECT\" \"5\"\r\n", StandardCharsets.UTF_8));
        dedicated.frames.accept(
                Unpooled.copiedBuffer("+1.3 [5 127.0.0.1:40000] \"GET\" \"SELECT\"\r\n", StandardCharsets.UTF_8));
        assertEquals(List.of("+OK\r\n", "+1.3 [5 127.0.0.1:40000] \"GET\" \"SELECT\"\r\n"), sink.relayed);
    }

    @Test
    void infoCarriesRespitesSectionAfterRedisOwn() {
        send("INFO", "respite");
        assertTrue(
                sink.last().startsWith("$") && sink.last().contains("\r\n# Respite\r\nrespite_version:"), sink.last());
        assertTrue(sink.last().contains("\r\ncache_hits:0\r\n"), sink.last());
        send("INFO");
        FakeLane.Sent info = lane.shared.poll();
        assertEquals("INFO", info.command());
        info.answer("$20\r\n# Server\r\nport:6379\r\n\r\n");
        String reply = sink.last();
        assertTrue(reply.startsWith("$") && reply.contains("# Server\r\nport:6379\r\n\r\n# Respite\r\n"), reply);
        int length = Integer.parseInt(reply.substring(1, reply.indexOf("\r\n")));
        assertEquals(reply.length() - reply.indexOf("\r\n") - 4, length, "the bulk length covers the section");
        send("INFO", "server", "respite");
        assertEquals("INFO server", lane.shared.poll().command(), "Redis's sections asked of Redis");
        send("INFO", "keyspace");
        assertEquals("INFO keyspace", lane.shared.poll().command(), "Redis's sections only: forwarded as they are");
    }

    @Test
    void aSubscribeRedisRefusesIsRefusedToTheClientAndForgotten() {
        send("SUBSCRIBE", "secret", "open");
        FakeLane.Dedicated upstream = lane.subscribers.get(0);
        upstream.frames.accept(Unpooled.copiedBuffer(
                "-NOPERM this user has no permissions to access one of the channels used as arguments\r\n",
                StandardCharsets.UTF_8));
        upstream.frames.accept(push("subscribe", "open", ":1"));
        assertEquals(
                "-NOPERM this user has no permissions to access one of the channels used as arguments\r\n",
                sink.replies.get(0));
        assertEquals("*3\r\n$9\r\nsubscribe\r\n$4\r\nopen\r\n:2\r\n", sink.replies.get(1));
        upstream.frames.accept(push("message", "secret", "x"));
        assertTrue(sink.relayed.isEmpty(), "not subscribed to what Redis refused");
        send("UNSUBSCRIBE");
        assertEquals("*3\r\n$11\r\nunsubscribe\r\n$4\r\nopen\r\n:0\r\n", sink.last(), "only open was held");
        send("SUBSCRIBE", "secret");
        assertEquals("subscribe secret", upstream.sent.peekLast().command(), "asked again, not assumed");
    }

    @Test
    void aSelectPipelinedAfterAnExecThatSelectsWaitsForIt() {
        send("MULTI");
        FakeLane.Dedicated dedicated = lane.onlyDedicated();
        send("SELECT", "1");
        send("EXEC");
        send("SELECT", "2");
        assertEquals(1, sink.held.size(), "held behind the EXEC that will select 1");
        dedicated.sent.poll().answer("+OK\r\n");
        dedicated.sent.poll().answer("+QUEUED\r\n");
        dedicated.sent.poll().answer("*1\r\n+OK\r\n");
        assertEquals(1, context().database());
        assertEquals(1, dedicated.selected, "the connection knows where the EXEC left it");
        RespCommand held = sink.held.remove(0);
        try {
            client.handle(held);
        } finally {
            held.release();
        }
        assertEquals(2, context().database(), "the later SELECT wins, as on Redis");
    }

    @Test
    void clientListAndKillWhileWatchingConcernRespitesClients() {
        send("WATCH", "k");
        lane.onlyDedicated().sent.poll().answer("+OK\r\n");
        send("CLIENT", "LIST");
        assertTrue(sink.last().contains("id=7 "), sink.last());
        assertTrue(lane.onlyDedicated().sent.isEmpty(), "not sent to Redis");
    }
}
