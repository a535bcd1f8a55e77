package io.respite.proxy.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.command.Catalog;
import io.respite.proxy.session.CommandHandler;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
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
    private CommandHandler client = client(new DispatchPolicy(null, 1 << 20, 0, Set.of(), false));

    private CommandHandler client(DispatchPolicy policy) {
        return new CommandRouter(cache, catalog, policy).newClient(sink, lane);
    }

    @AfterEach
    void releaseHeld() {
        sink.releaseHeld();
    }

    private void send(String... args) {
        RespCommand command = RespCommand.of(args);
        try {
            client.handle(command);
        } finally {
            command.release();
        }
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
        client = client(new DispatchPolicy("secret", 1 << 20, 0, Set.of(), false));
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
        assertTrue(sink.last().contains("id=7 addr=127.0.0.1:50000 laddr=127.0.0.1:6380 name=worker db=0 resp=2"));
        send("CLIENT", "LIST");
        assertEquals("CLIENT LIST", lane.shared.poll().command(), "others are forwarded");
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
        lane.shared.poll().answer("$1\r\nv\r\n");
        assertEquals("$1\r\nv\r\n", sink.last());
        send("GET", "k");
        assertEquals("$1\r\nv\r\n", sink.last());
        assertTrue(lane.shared.isEmpty(), "the second GET was a hit");
        send("SELECT", "1");
        send("GET", "k");
        assertEquals("GET k", lane.shared.poll().command(), "another database, another key");
    }

    @Test
    void nilAndErrorsAreNotCached() {
        send("GET", "k");
        lane.shared.poll().answer("$-1\r\n");
        send("GET", "k");
        lane.shared.poll().onFailureSafe();
        send("GET", "k");
        assertEquals(1, lane.shared.size(), "still not cached");
    }

    @Test
    void aWriteInvalidatesWhenSentAndWhenAnswered() {
        send("GET", "k");
        lane.shared.poll().answer("$3\r\nold\r\n");
        send("SET", "k", "new");
        FakeLane.Sent set = lane.shared.poll();
        send("GET", "k");
        FakeLane.Sent read = lane.shared.poll();
        assertEquals("GET k", read.command(), "the write made the next GET miss");
        set.answer("+OK\r\n");
        read.answer("$3\r\nnew\r\n");
        send("GET", "k");
        FakeLane.Sent reread = lane.shared.poll();
        assertEquals(
                "GET k",
                reread.command(),
                "the read sent before the write was answered is not trusted: the answer invalidated again");
        reread.answer("$3\r\nnew\r\n");
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
        send("GET", "k");
        assertEquals("GET k", lane.shared.poll().command(), "the stale fill was dropped");
    }

    @Test
    void aWriteWithoutKeysEmptiesTheCache() {
        send("GET", "k");
        lane.shared.poll().answer("$1\r\nv\r\n");
        send("FLUSHALL");
        send("GET", "k");
        assertEquals("GET k", lane.shared.peekLast().command());
    }

    @Test
    void mgetTakesHitsFromTheCacheAndAsksForTheRest() {
        send("GET", "a");
        lane.shared.poll().answer("$1\r\n1\r\n");
        send("MGET", "a", "b", "c");
        FakeLane.Sent rest = lane.shared.poll();
        assertEquals("MGET b c", rest.command());
        rest.answer("*2\r\n$1\r\n2\r\n$-1\r\n");
        assertEquals("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n", sink.last());
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
        lane.shared.poll().answer("$1\r\nv\r\n");
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
        send("XREAD", "STREAMS", "s", "0");
        assertTrue(lane.onlyDedicated().sent.poll().timed(), "XREAD without BLOCK does not block");
        send("MULTI");
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
    void subscribeRelaysForGoodAndPausesWithTheClient() {
        send("SUBSCRIBE", "ch");
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
        send("SUBSCRIBE", "ch");
        lane.onlyDedicated().lost.accept("ERR upstream unavailable (timeout after 5000 ms)");
        assertEquals("-ERR upstream unavailable (timeout after 5000 ms)\r\n", sink.last(), "a subscriber is told why");
        assertTrue(sink.closedAfterReplies);
        assertFalse(context().pinning().pinned());
    }

    @Test
    void beyondMaxPinnedTheClientIsTold() {
        lane.dedicatedLeft = 0;
        send("MULTI");
        assertTrue(sink.last().startsWith("-ERR max number of pinned connections reached"), sink.last());
        assertFalse(context().pinning().pinned());
    }

    @Test
    void aDeniedCommandInsideMultiAbortsTheTransaction() {
        client = client(new DispatchPolicy(null, 1 << 20, 0, Set.of("flushall"), false));
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
        client = client(new DispatchPolicy(null, 1 << 20, 0, Set.of(), true));
        send("CONFIG", "GET", "requirepass");
        lane.shared.poll().answer("*2\r\n$11\r\nrequirepass\r\n$2\r\npw\r\n");
        assertEquals("*2\r\n$11\r\nrequirepass\r\n$21\r\n(redacted by respite)\r\n", sink.last());
        send("SUBSCRIBE", "ch");
        send("CONFIG", "GET", "requirepass");
        assertTrue(sink.last().startsWith("-ERR respite does not relay CONFIG GET"), sink.last());
    }
}
