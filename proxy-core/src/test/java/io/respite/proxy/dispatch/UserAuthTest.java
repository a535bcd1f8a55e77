package io.respite.proxy.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.admission.Admission;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.coherence.Coherence;
import io.respite.proxy.coherence.CoherenceMode;
import io.respite.proxy.command.Catalog;
import io.respite.proxy.session.CommandHandler;
import io.respite.resp.RespCommand;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --auth passthrough} through the router's seams: the AUTH state machine ({@link UserAuth}),
 * a test per transition, the users' lanes ({@link Passthrough}) and the cache's partitions. Redis
 * is the fake lanes: the test answers each AUTH sent out of band as Redis would.
 */
class UserAuthTest {

    private static final String WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    private static final String NOAUTH = "-NOAUTH Authentication required.\r\n";

    private final StripedLruCache cache =
            StripedLruCache.builder().maxEntries(1000).build();
    private final AtomicReference<Catalog> catalog = new AtomicReference<>(TestCatalog.catalog());
    private final FakeLane shared = new FakeLane();
    /** Every user lane opened, by "user secret", in order. */
    private final Map<String, FakeLane> opened = new LinkedHashMap<>();

    private final Coherence coherence = new Coherence(CoherenceMode.TTL, cache, List.of());
    private final List<FakeSink> sinks = new ArrayList<>();
    private CommandRouter router = router(2);

    private final FakeSink sink = new FakeSink();
    private final CommandHandler client = client(sink);
    private final FakeSink second = new FakeSink();

    private CommandRouter router(int maxUsers) {
        Passthrough passthrough = new Passthrough(
                (loop, user, secret) -> {
                    FakeLane lane = new FakeLane();
                    opened.put(user + " " + secret, lane);
                    return lane;
                },
                UnaryOperator.identity(),
                lane -> {},
                maxUsers);
        return new CommandRouter(
                cache, catalog, new DispatchPolicy(null, 1 << 20, 0, Set.of(), true, true), coherence, passthrough);
    }

    private CommandHandler client(FakeSink into) {
        sinks.add(into);
        return router.newClient(into, shared, Admission.none().unlimitedClient());
    }

    @AfterEach
    void releaseHeld() {
        sinks.forEach(FakeSink::releaseHeld);
    }

    private static void send(CommandHandler handler, String... args) {
        RespCommand command = RespCommand.of(args);
        try {
            handler.handle(command);
        } finally {
            command.release();
        }
    }

    private void send(String... args) {
        send(client, args);
    }

    /** Redis answers the AUTH sent out of band with {@code reply}; the held command comes back to the router. */
    private void redisAnswers(CommandHandler handler, FakeSink into, String expectedAuth, String reply) {
        FakeLane.Sent auth = shared.outOfBand.poll();
        assertEquals(expectedAuth, auth == null ? null : auth.command(), "the client's AUTH, to Redis");
        auth.answer(reply);
        RespCommand held = into.held.remove(into.held.size() - 1);
        try {
            handler.handle(held);
        } finally {
            held.release();
        }
    }

    private void redisAnswers(String expectedAuth, String reply) {
        redisAnswers(client, sink, expectedAuth, reply);
    }

    /** Authenticates {@code handler} as {@code user} with {@code secret}, Redis accepting. */
    private void authenticate(CommandHandler handler, FakeSink into, String user, String secret) {
        send(handler, "AUTH", user, secret);
        redisAnswers(handler, into, "AUTH " + user + " " + secret, "+OK\r\n");
        assertEquals("+OK\r\n", into.last());
    }

    /** A second client, whose replies {@link #second} records, authenticated as {@code user}. */
    private CommandHandler secondAs(String user, String secret) {
        CommandHandler other = client(second);
        authenticate(other, second, user, secret);
        return other;
    }

    private FakeLane laneOf(String user, String secret) {
        FakeLane lane = opened.get(user + " " + secret);
        if (lane == null) {
            throw new AssertionError("no lane for " + user + ": " + opened.keySet());
        }
        return lane;
    }

    // ---- transitions ----------------------------------------------------------------------------

    @Test
    void unauthenticatedCommandsGetNoauthAndNothingGoesUpstream() {
        assertTrue(sink.authenticationRequired, "the decoder's tighter limits apply until AUTH");
        send("GET", "k");
        assertEquals(NOAUTH, sink.last());
        send("SET", "k", "v");
        assertEquals(NOAUTH, sink.last());
        assertTrue(shared.shared.isEmpty() && shared.outOfBand.isEmpty(), "nothing went upstream");
    }

    @Test
    void authIsSentToRedisAndTheClientWaitsForItsVerdict() {
        send("AUTH", "app1", "pw1");
        assertEquals(0, sink.replies.size(), "no answer before Redis's");
        assertEquals(1, sink.held.size(), "the client is held: nothing after the AUTH runs before the verdict");
        assertEquals("AUTH app1 pw1", shared.outOfBand.peek().command());
        assertTrue(opened.isEmpty(), "no lane before Redis said yes");
    }

    @Test
    void redisAcceptingRunsTheClientAsTheUser() {
        authenticate(client, sink, "app1", "pw1");
        assertFalse(sink.authenticationRequired);
        send("GET", "app1:k");
        FakeLane lane = laneOf("app1", "pw1");
        assertEquals("GET app1:k", lane.shared.peek().command(), "on the user's lane");
        assertTrue(shared.shared.isEmpty(), "not on respite's own");
        send("CLIENT", "INFO");
        assertTrue(sink.last().contains(" user=app1 "), sink.last());
    }

    @Test
    void redisRefusingAnswersItsOwnErrorAndTheClientStaysUnauthenticated() {
        send("AUTH", "app1", "nope");
        redisAnswers("AUTH app1 nope", WRONGPASS);
        assertEquals(WRONGPASS, sink.last(), "Redis's error, word for word");
        send("GET", "k");
        assertEquals(NOAUTH, sink.last());
        assertTrue(opened.isEmpty());
    }

    @Test
    void authWithOnlyAPasswordIsTheDefaultUserAndRedisIsAskedTheSame() {
        send("AUTH", "secret");
        redisAnswers("AUTH secret", "+OK\r\n");
        assertEquals("+OK\r\n", sink.last());
        laneOf("default", "secret");
    }

    @Test
    void noConnectionForTheVerdictAnswersTheFailure() {
        send("AUTH", "app1", "pw1");
        FakeLane.Sent auth = shared.outOfBand.poll();
        auth.callback().onFailure("ERR upstream unavailable (down)");
        RespCommand held = sink.held.remove(0);
        try {
            client.handle(held);
        } finally {
            held.release();
        }
        assertEquals("-ERR upstream unavailable (down)\r\n", sink.last());
        send("PING");
        assertEquals(NOAUTH, sink.last());
    }

    @Test
    void aFailedAuthOfAnAuthenticatedClientKeepsItsUser() {
        authenticate(client, sink, "app1", "pw1");
        send("AUTH", "app2", "bad");
        redisAnswers("AUTH app2 bad", WRONGPASS);
        assertEquals(WRONGPASS, sink.last());
        send("GET", "x");
        assertEquals("GET x", laneOf("app1", "pw1").shared.peek().command(), "still app1, as on Redis");
    }

    @Test
    void authAsAnotherUserMovesTheClientToThatUsersLane() {
        authenticate(client, sink, "app1", "pw1");
        authenticate(client, sink, "app2", "pw2");
        send("GET", "x");
        assertTrue(laneOf("app1", "pw1").shared.isEmpty());
        assertEquals("GET x", laneOf("app2", "pw2").shared.peek().command());
    }

    @Test
    void authWaitsForTheRepliesDueBeforeIt() {
        authenticate(client, sink, "app1", "pw1");
        send("GET", "app1:k");
        send("AUTH", "app2", "pw2");
        assertTrue(shared.outOfBand.isEmpty(), "not verified while a reply on the old lane is due");
        assertEquals(1, sink.held.size(), "held until drained");
    }

    @Test
    void aUserCannotBeChangedWhileADedicatedConnectionHoldsState() {
        authenticate(client, sink, "app1", "pw1");
        send("WATCH", "app1:k");
        laneOf("app1", "pw1").onlyDedicated().sent.poll().answer("+OK\r\n");
        send("AUTH", "app2", "pw2");
        assertTrue(sink.last().startsWith("-ERR respite cannot change the user"), sink.last());
        assertTrue(shared.outOfBand.isEmpty());
    }

    @Test
    void resetSignsTheClientOut() {
        authenticate(client, sink, "app1", "pw1");
        send("RESET");
        assertEquals("+RESET\r\n", sink.last());
        assertTrue(sink.authenticationRequired);
        send("GET", "k");
        assertEquals(NOAUTH, sink.last());
    }

    @Test
    void helloWithAuthIsVerifiedThenAnswered() {
        send("HELLO", "3", "AUTH", "app1", "pw1");
        assertEquals(0, sink.replies.size());
        redisAnswers("AUTH app1 pw1", "+OK\r\n");
        assertTrue(sink.last().startsWith("%7\r\n"), "HELLO's map, in RESP3: " + sink.last());
        send("GET", "app1:k");
        assertEquals("GET app1:k", laneOf("app1", "pw1").shared.peek().command());
    }

    @Test
    void helloWithAWrongPasswordAnswersRedisError() {
        send("HELLO", "3", "AUTH", "app1", "bad");
        redisAnswers("AUTH app1 bad", WRONGPASS);
        assertEquals(WRONGPASS, sink.last());
        send("HELLO", "3");
        assertTrue(sink.last().startsWith("-NOAUTH HELLO must be called"), sink.last());
    }

    @Test
    void clientListAndKillAreAnsweredOnlyWhenRedisLetsTheUserRunThem() {
        authenticate(client, sink, "app1", "pw1");
        FakeLane lane = laneOf("app1", "pw1");
        int replies = sink.replies.size();
        send("CLIENT", "LIST");
        assertEquals(replies, sink.replies.size(), "held while Redis is asked");
        FakeLane.Sent probe = lane.shared.poll();
        assertEquals("CLIENT LIST ID 0", probe.command(), "a probe that changes nothing, as the user");
        probe.answer("-NOPERM User app1 has no permissions to run the 'client|list' command\r\n");
        redeliverHeld();
        assertEquals("-NOPERM User app1 has no permissions to run the 'client|list' command\r\n", sink.last());

        send("CLIENT", "KILL", "ID", "7");
        FakeLane.Sent kill = lane.shared.poll();
        assertEquals("CLIENT KILL ID 0", kill.command());
        kill.answer("-ERR No such client\r\n");
        redeliverHeld();
        assertEquals(
                "CLIENT KILL ID 7",
                lane.outOfBand.peek().command(),
                "allowed, and no client of respite but this one (skipped) matched: on to Redis, as the user");

        send("CLIENT", "LIST");
        lane.shared.poll().answer("$0\r\n\r\n");
        redeliverHeld();
        assertTrue(sink.last().contains("id=7 "), "allowed: respite's clients: " + sink.last());
    }

    private void redeliverHeld() {
        RespCommand held = sink.held.remove(sink.held.size() - 1);
        try {
            client.handle(held);
        } finally {
            held.release();
        }
    }

    // ---- lanes --------------------------------------------------------------------------------

    @Test
    void clientsOfOneUserShareALaneAndMaxUsersClosesTheLeastRecentlyUsedIdleOne() {
        authenticate(client, sink, "app1", "pw1");
        secondAs("app1", "pw1");
        assertEquals(1, opened.size(), "one lane for both");
        FakeSink third = new FakeSink();
        CommandHandler stranger = client(third);
        authenticate(stranger, third, "app2", "pw2");
        assertEquals(2, opened.size());

        FakeSink fourth = new FakeSink();
        CommandHandler late = client(fourth);
        send(late, "AUTH", "app3", "pw3");
        redisAnswers(late, fourth, "AUTH app3 pw3", "+OK\r\n");
        assertTrue(fourth.last().startsWith("-ERR respite has upstream connections open for as many users"));

        send(stranger, "RESET");
        authenticate(late, fourth, "app3", "pw3");
        assertTrue(laneOf("app2", "pw2").closed, "the idle lane made room");
        assertFalse(laneOf("app1", "pw1").closed, "the held one did not");
    }

    @Test
    void aClientThatLeavesGivesItsLaneBack() {
        router = router(1);
        FakeSink first = new FakeSink();
        CommandHandler one = client(first);
        authenticate(one, first, "app1", "pw1");
        one.closed();
        FakeSink second = new FakeSink();
        CommandHandler two = client(second);
        authenticate(two, second, "app2", "pw2");
        assertTrue(laneOf("app1", "pw1").closed);
    }

    // ---- the cache ----------------------------------------------------------------------------

    @Test
    void aUserIsNeverServedAnotherUsersCachedRead() {
        authenticate(client, sink, "app1", "pw1");
        CommandHandler other = secondAs("app2", "pw2");

        send("GET", "app1:k");
        laneOf("app1", "pw1").answerRead("$1\r\nv\r\n");
        send("GET", "app1:k");
        assertEquals("$1\r\nv\r\n", sink.last(), "app1's hit");
        assertTrue(laneOf("app1", "pw1").shared.isEmpty(), "from the cache");

        send(other, "GET", "app1:k");
        FakeLane.Sent get = laneOf("app2", "pw2").shared.poll();
        assertEquals("GET app1:k", get.command(), "app2's read goes to Redis, as app2");
        get.answer("-NOPERM No permissions to access a key\r\n");
        assertEquals("-NOPERM No permissions to access a key\r\n", second.last(), "Redis's refusal");
        send(other, "GET", "app1:k");
        assertEquals("GET app1:k", laneOf("app2", "pw2").shared.peek().command(), "and again: refusals are not cached");
    }

    @Test
    void aWriteByOneUserDropsTheKeyFromEveryUsersPartition() {
        authenticate(client, sink, "app1", "pw1");
        CommandHandler other = secondAs("app2", "pw2");
        send(other, "GET", "shared:k");
        laneOf("app2", "pw2").answerRead("$3\r\nold\r\n");

        send("SET", "shared:k", "new");
        send(other, "GET", "shared:k");
        assertEquals("GET shared:k", laneOf("app2", "pw2").shared.peek().command(), "app2's entry is gone");
    }

    @Test
    void getAndMgetReadsAreCachedApart() {
        authenticate(client, sink, "app1", "pw1");
        send("GET", "app1:k");
        laneOf("app1", "pw1").answerRead("$1\r\nv\r\n");
        send("MGET", "app1:k");
        assertEquals(
                "MGET app1:k",
                laneOf("app1", "pw1").shared.peek().command(),
                "a GET proves GET may read the key, not MGET");
        assertNull(shared.shared.peek());
    }
}
