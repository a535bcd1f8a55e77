package io.respite.proxy.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.config.AdmissionOptions;
import io.respite.proxy.config.RateLimit;
import java.math.BigInteger;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token buckets' arithmetic on a fake clock: burst, refill, exactness, the wait returned, the counters. */
class ClientAdmissionTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** The fake clock, in nanoseconds; starts far from 0 as System.nanoTime may. */
    private final AtomicLong now = new AtomicLong(-5 * SECOND);

    private Admission admission(RateLimit perClient, RateLimit global) {
        return new Admission(new AdmissionOptions(0, 0, perClient, global), now::get);
    }

    /** Admits until refused, returning how many were admitted. */
    private static int admitAll(ClientAdmission client) {
        int admitted = 0;
        while (client.tryAdmit() == 0) {
            admitted++;
        }
        return admitted;
    }

    @Test
    void withoutLimitsEveryRequestIsAdmitted() {
        Admission none = Admission.none();
        ClientAdmission client = none.newClient();
        for (int i = 0; i < 1000; i++) {
            assertEquals(0, client.tryAdmit());
            assertEquals(0, none.newClient().tryAdmit());
        }
        assertEquals(new AdmissionStats(0, 0, 0, 0, 0, 0), none.stats());
    }

    @Test
    void aReloadHoldsConnectedClientsToTheNewLimitsAndNeverTheExemptOne() {
        Admission admission = admission(null, null);
        ClientAdmission client = admission.newClient();
        assertEquals(0, client.tryAdmit());
        admission.rates(new RateLimit(10, 3), null);
        assertEquals(3, admitAll(client), "a connected client gets the new bucket, full");
        admission.rates(new RateLimit(10, 3), new RateLimit(100, 100));
        assertEquals(0, admitAll(client), "a new global limit keeps the client's own bucket as it was");
        admission.rates(new RateLimit(10, 5), new RateLimit(100, 2));
        assertEquals(2, admitAll(client), "a new rate: a new own bucket; the new global one allows 2");
        admission.rates(null, null);
        assertEquals(0, client.tryAdmit());
        admission.rates(new RateLimit(1, 1), new RateLimit(1, 1));
        for (int i = 0; i < 100; i++) {
            assertEquals(0, admission.unlimitedClient().tryAdmit(), "the exempt client is never limited");
        }
    }

    @Test
    void aFullBucketAdmitsItsBurstThenOneRequestPerTokenAndSaysWhenTheNextComes() {
        ClientAdmission client = admission(new RateLimit(10, 5), null).newClient();
        assertEquals(5, admitAll(client), "the burst");
        assertEquals(SECOND / 10, client.tryAdmit(), "the next token comes in a tenth of a second");
        now.addAndGet(SECOND / 10 - 1);
        assertEquals(1, client.tryAdmit(), "one nanosecond early");
        now.incrementAndGet();
        assertEquals(0, client.tryAdmit());
        assertEquals(SECOND / 10, client.tryAdmit());
        now.addAndGet(SECOND);
        assertEquals(5, admitAll(client), "a quiet second refills up to the burst, not beyond");
    }

    @Test
    void aRateThatDoesNotDivideASecondStaysExactOverTime() {
        // 3 a second: tokens at 1/3 s, 2/3 s, 1 s, ...; rounded per token, never accumulated.
        ClientAdmission client = admission(new RateLimit(3, 1), null).newClient();
        long admitted = 0;
        for (int step = 0; step < 3_000; step++) {
            admitted += admitAll(client);
            now.addAndGet(SECOND / 1000);
        }
        // 3 s elapsed (3000 ms) less the last step: the burst plus 3 a second, exactly.
        assertEquals(1 + 3 * 3 - 1, admitted);
        // A burst that holds a step's tokens, so that none is lost to a full bucket.
        ClientAdmission fast =
                admission(new RateLimit(999_999_937, 2_000_000), null).newClient();
        long start = now.get();
        now.addAndGet(10_000 * SECOND + 1);
        assertEquals(2_000_000, admitAll(fast), "a full bucket after hours holds its burst only");
        long afterQuiet = now.get();
        long taken = 0;
        for (int step = 0; step < 7; step++) {
            now.addAndGet(1_000_003);
            taken += admitAll(fast);
        }
        assertEquals(
                slots(now.get() - start, 999_999_937) - slots(afterQuiet - start, 999_999_937),
                taken,
                "a large prime rate, hours from the start: one per token added");
    }

    /** Tokens added in {@code elapsedNanos} at {@code perSecond}, computed without overflow. */
    private static long slots(long elapsedNanos, long perSecond) {
        return BigInteger.valueOf(elapsedNanos)
                .multiply(BigInteger.valueOf(perSecond))
                .divide(BigInteger.valueOf(SECOND))
                .longValueExact();
    }

    @Test
    void theWaitReturnedIsWhenTheRequestWouldBeAdmitted() {
        ClientAdmission client = admission(new RateLimit(7, 3), null).newClient();
        for (int i = 0; i < 50; i++) {
            admitAll(client);
            long wait = client.tryAdmit();
            assertTrue(wait > 0);
            now.addAndGet(wait - 1);
            assertTrue(client.tryAdmit() > 0, "not a nanosecond before");
            now.incrementAndGet();
            assertEquals(0, client.tryAdmit(), "but then");
        }
    }

    @Test
    void eachClientHasItsOwnBucketAndTheGlobalOneIsShared() {
        Admission admission = admission(new RateLimit(100, 2), new RateLimit(1000, 3));
        ClientAdmission a = admission.newClient();
        ClientAdmission b = admission.newClient();
        assertEquals(2, admitAll(a), "a's own burst");
        assertEquals(1, admitAll(b), "then the global burst runs out");
        AdmissionStats stats = admission.stats();
        assertEquals(1, stats.rateLimitedClient());
        assertEquals(1, stats.rateLimitedGlobal());
        assertEquals(SECOND / 1000, b.tryAdmit(), "b waits for the global bucket, not its own");
    }

    @Test
    void aRequestTheGlobalLimitRefusesCostsTheClientNoToken() {
        Admission admission = admission(new RateLimit(10, 2), new RateLimit(1, 1));
        ClientAdmission client = admission.newClient();
        assertEquals(0, client.tryAdmit());
        for (int i = 0; i < 10; i++) {
            assertEquals(SECOND, client.tryAdmit(), "refused by the global bucket");
        }
        assertEquals(10, admission.stats().rateLimitedGlobal());
        now.addAndGet(SECOND);
        assertEquals(0, client.tryAdmit(), "its own second token is still there");
        assertEquals(0, admission.stats().rateLimitedClient());
    }

    @Test
    void aClientNotYetAuthenticatedSpendsOnlyItsOwnTokens() {
        Admission admission = admission(new RateLimit(10, 2), new RateLimit(1, 1));
        ClientAdmission stranger = admission.newClient();
        assertEquals(0, stranger.tryAdmitOwn());
        assertEquals(0, stranger.tryAdmitOwn());
        assertEquals(SECOND / 10, stranger.tryAdmitOwn(), "its own burst is spent");
        assertEquals(1, admission.stats().rateLimitedClient());
        assertEquals(0, admission.newClient().tryAdmit(), "the global token is still there for others");
    }
}
