package io.respite.proxy.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random operations on a one-stripe cache, compared step by step with a reference model
 * (an access-ordered {@link LinkedHashMap} plus a deadline map and per-key token generations):
 * the same values returned, the same recency order (so the same victims), the same deadlines and
 * the same counters after every operation. Budgets and TTL change now and then ({@link
 * StripedLruCache#resize}), growing and shrinking, so eviction down to a smaller budget and the
 * capping of deadlines by a shorter TTL are compared too.
 */
class StripedLruCacheModelTest {

    private static final int STEPS = 4_000;
    private static final int KEYS = 24;
    private static final int MAX_ENTRIES = 8;
    private static final long MAX_BYTES = 7L * (StripedLruCache.ENTRY_OVERHEAD_BYTES + 40);
    private static final long MAX_ENTRY_BYTES = StripedLruCache.ENTRY_OVERHEAD_BYTES + 60;
    private static final long TTL_NANOS = 1_000;

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void matchesModel(long seed) {
        FakeTicker ticker = new FakeTicker();
        long origin = ticker.readNanos();
        StripedLruCache cache = invariants.track(StripedLruCache.builder()
                .stripes(1)
                .maxEntries(MAX_ENTRIES)
                .maxBytes(MAX_BYTES)
                .maxEntryBytes(MAX_ENTRY_BYTES)
                .defaultTtlNanos(seed % 3 == 0 ? 0 : TTL_NANOS)
                .maxLoadsInFlight(1 << 12)
                .ticker(ticker));
        Model model = new Model(ticker, seed % 3 == 0 ? 0 : TTL_NANOS);
        SplittableRandom random = new SplittableRandom(seed);
        List<ModelToken> tokens = new ArrayList<>();
        StripedLruCache.Lookup lookup = new StripedLruCache.Lookup();

        for (int step = 0; step < STEPS; step++) {
            String k = "k" + random.nextInt(KEYS);
            byte[] key = k.getBytes(StandardCharsets.ISO_8859_1);
            int op = random.nextInt(100);
            String what = "step " + step + " op " + op + " key " + k;
            if (op < 35) {
                assertSame(model.get(k), cache.get(key), what);
            } else if (op < 55) {
                byte[] value = randomValue(random);
                long deadline = randomDeadline(random, ticker);
                assertEquals(model.put(k, value, deadline), cache.put(key, value, deadline), what);
            } else if (op < 62) {
                assertEquals(model.invalidate(k), cache.invalidate(key), what);
            } else if (op < 63) {
                model.invalidateAll();
                cache.invalidateAll();
            } else if (op < 64) {
                int maxEntries = 1 + random.nextInt(2 * MAX_ENTRIES);
                long maxBytes = StripedLruCache.ENTRY_OVERHEAD_BYTES + 1 + random.nextLong(2 * MAX_BYTES);
                long ttl = seed % 3 == 0 ? 0 : TTL_NANOS / 4 + random.nextLong(2 * TTL_NANOS);
                model.resize(maxEntries, maxBytes, ttl);
                cache.resize(maxEntries, maxBytes, ttl);
            } else if (op < 72) {
                ticker.advanceNanos(random.nextLong(TTL_NANOS / 2));
            } else if (op < 75) {
                assertEquals(model.expireAll(), cache.expireBatch(Integer.MAX_VALUE), what);
            } else if (op < 80) {
                LoadToken token = cache.beginLoad(key);
                ModelToken expected = model.beginLoad(k);
                assertEquals(expected.first, token.isFirst(), what);
                expected.token = token;
                tokens.add(expected);
            } else if (op < 85) {
                // A lookup is a get, then on a miss a beginLoad, under one lock.
                cache.lookup(key, 0, key.length, lookup);
                byte[] hit = model.get(k);
                assertSame(hit, lookup.hit(), what);
                if (hit == null) {
                    ModelToken expected = model.beginLoad(k);
                    assertEquals(expected.first, lookup.token().isFirst(), what);
                    expected.token = lookup.token();
                    tokens.add(expected);
                } else {
                    assertNull(lookup.token(), what);
                }
            } else if (!tokens.isEmpty()) {
                ModelToken t = tokens.remove(random.nextInt(tokens.size()));
                if (op < 95) {
                    byte[] value = randomValue(random);
                    long deadline = randomDeadline(random, ticker);
                    assertEquals(
                            model.completeLoad(t, value, deadline), cache.completeLoad(t.token, value, deadline), what);
                } else {
                    model.abandonLoad(t);
                    cache.abandonLoad(t.token);
                }
            }
            assertSameState(model, cache, origin, what);
        }
        // The run must have reached every path it claims to compare.
        CacheStats s = cache.stats();
        assertTrue(
                s.hits() > 0
                        && s.misses() > 0
                        && s.evictedBySize() > 0
                        && s.evictedByBytes() > 0
                        && s.expired() > 0
                        && s.invalidated() > 0
                        && s.staleFillsDropped() > 0
                        && s.rejected() > 0,
                s.toString());
    }

    /** Mostly small values, so the entry budget binds, some large, so the byte budget and the size limit do. */
    private static byte[] randomValue(SplittableRandom random) {
        return new byte[random.nextInt(10) < 7 ? random.nextInt(10) : 30 + random.nextInt(40)];
    }

    /** 0 (default TTL only) half the time, else a deadline from just past to twice the TTL ahead. */
    private static long randomDeadline(SplittableRandom random, FakeTicker ticker) {
        return random.nextBoolean() ? 0 : ticker.readNanos() - 10 + random.nextLong(2 * TTL_NANOS);
    }

    private static void assertSameState(Model model, StripedLruCache cache, long origin, String what) {
        CacheInvariants.assertValid(cache);
        Stripe stripe = cache.stripes()[0];
        Entry e = (Entry) stripe.recency.oldest;
        for (Map.Entry<String, byte[]> m : model.map.entrySet()) {
            assertEquals(m.getKey(), new String(e.key, StandardCharsets.ISO_8859_1), what + ": recency order");
            assertSame(m.getValue(), e.value, what + ": value");
            long deadline = model.deadlines.get(m.getKey());
            assertEquals(
                    deadline == Stripe.NO_DEADLINE ? deadline : deadline - origin,
                    e.deadlineNanos,
                    what + ": deadline");
            e = (Entry) e.newer;
        }
        assertSame(null, e, what + ": no extra entries");
        CacheStats s = cache.stats();
        assertEquals(model.stats(), s, what + ": stats");
    }

    /** A token handed out by the model, with the generation it must still match to install. */
    private static final class ModelToken {
        final String key;
        final long generation;
        final boolean first;
        LoadToken token;

        ModelToken(String key, long generation, boolean first) {
            this.key = key;
            this.generation = generation;
            this.first = first;
        }
    }

    /** The reference: obviously correct, slow, and single-threaded. */
    private static final class Model {
        final FakeTicker ticker;
        long ttlNanos;
        int maxEntries = MAX_ENTRIES;
        long maxBytes = MAX_BYTES;
        long maxEntryBytes = MAX_ENTRY_BYTES;
        final LinkedHashMap<String, byte[]> map = new LinkedHashMap<>(16, 0.75f, true);
        final Map<String, Long> deadlines = new HashMap<>();
        /** Per key: bumped by put and invalidate; a global counter serves invalidateAll. */
        final Map<String, Long> generations = new HashMap<>();
        /** The value a token of the key's current flight installed, if one did. */
        final Map<String, byte[]> installedByFlight = new HashMap<>();

        final Map<String, Integer> outstanding = new HashMap<>();
        long nextGeneration = 1;
        long hits;
        long misses;
        long bytes;
        long evictedBySize;
        long evictedByBytes;
        long expired;
        long invalidated;
        long staleFills;
        long rejected;

        Model(FakeTicker ticker, long ttlNanos) {
            this.ticker = ticker;
            this.ttlNanos = ttlNanos;
        }

        byte[] get(String k) {
            byte[] v = map.get(k);
            if (v == null) {
                misses++;
                return null;
            }
            if (deadlines.get(k) <= ticker.readNanos()) {
                remove(k);
                expired++;
                misses++;
                return null;
            }
            hits++;
            return v;
        }

        boolean put(String k, byte[] v, long deadline) {
            stale(k);
            return install(k, v, deadline);
        }

        boolean install(String k, byte[] v, long explicitDeadline) {
            long now = ticker.readNanos();
            long deadline = ttlNanos > 0 ? now + ttlNanos : Stripe.NO_DEADLINE;
            if (explicitDeadline != 0) {
                deadline = Math.min(deadline, explicitDeadline);
            }
            if (weigh(k, v) > maxEntryBytes || deadline <= now) {
                if (map.containsKey(k)) {
                    remove(k);
                    invalidated++;
                }
                rejected++;
                return false;
            }
            byte[] old = map.put(k, v);
            if (old != null) {
                bytes -= weigh(k, old);
            }
            bytes += weigh(k, v);
            deadlines.put(k, deadline);
            evictToBudgets(now);
            return true;
        }

        /** New budgets and TTL: a shorter TTL caps every deadline at now + TTL; then evict down. */
        void resize(int newMaxEntries, long newMaxBytes, long newTtlNanos) {
            long now = ticker.readNanos();
            if (newTtlNanos > 0 && (ttlNanos == 0 || newTtlNanos < ttlNanos)) {
                deadlines.replaceAll((k, d) -> Math.min(d, now + newTtlNanos));
            }
            maxEntries = newMaxEntries;
            maxBytes = newMaxBytes;
            maxEntryBytes = Math.min(MAX_ENTRY_BYTES, newMaxBytes);
            ttlNanos = newTtlNanos;
            evictToBudgets(now);
        }

        private void evictToBudgets(long now) {
            while (map.size() > maxEntries || bytes > maxBytes) {
                String eldest = map.keySet().iterator().next();
                if (deadlines.get(eldest) <= now) {
                    expired++;
                } else if (map.size() > maxEntries) {
                    evictedBySize++;
                } else {
                    evictedByBytes++;
                }
                remove(eldest);
            }
        }

        boolean invalidate(String k) {
            stale(k);
            if (!map.containsKey(k)) {
                return false;
            }
            remove(k);
            invalidated++;
            return true;
        }

        void invalidateAll() {
            invalidated += map.size();
            map.clear();
            deadlines.clear();
            bytes = 0;
            for (String k : new ArrayList<>(generations.keySet())) {
                stale(k);
            }
        }

        int expireAll() {
            long now = ticker.readNanos();
            int n = 0;
            for (Iterator<Map.Entry<String, Long>> it = deadlines.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Long> d = it.next();
                if (d.getValue() <= now) {
                    bytes -= weigh(d.getKey(), map.remove(d.getKey()));
                    it.remove();
                    n++;
                }
            }
            expired += n;
            return n;
        }

        ModelToken beginLoad(String k) {
            int n = outstanding.getOrDefault(k, 0);
            outstanding.put(k, n + 1);
            return new ModelToken(k, generations.computeIfAbsent(k, x -> nextGeneration++), n == 0);
        }

        boolean completeLoad(ModelToken t, byte[] v, long deadline) {
            Long g = generations.get(t.key);
            // The value the key's current flight saw (its generation is the current one), and the entry.
            byte[] seen = g != null ? installedByFlight.get(t.key) : null;
            byte[] entry = peek(t.key);
            if ((entry != null && !Arrays.equals(entry, v)) || (seen != null && !Arrays.equals(seen, v))) {
                // A read that disagrees with what the key's entry or flight saw: neither is kept.
                if (entry != null) {
                    remove(t.key);
                }
                stale(t.key);
                staleFills++;
                return false;
            }
            if (g != null) {
                // Seen by the key's current flight, whether or not the token belongs to it.
                installedByFlight.put(t.key, v);
            }
            if (!release(t)) {
                staleFills++;
                return false;
            }
            if (generations.containsKey(t.key)) {
                installedByFlight.put(t.key, v);
            }
            return install(t.key, v, deadline);
        }

        /** The key's value, without touching the access order. */
        private byte[] peek(String k) {
            for (Map.Entry<String, byte[]> e : map.entrySet()) {
                if (e.getKey().equals(k)) {
                    return e.getValue();
                }
            }
            return null;
        }

        void abandonLoad(ModelToken t) {
            release(t);
        }

        /** Returns whether the token was still current. */
        private boolean release(ModelToken t) {
            Long g = generations.get(t.key);
            if (g == null || g != t.generation) {
                return false;
            }
            int n = outstanding.get(t.key) - 1;
            if (n == 0) {
                outstanding.remove(t.key);
                generations.remove(t.key);
                installedByFlight.remove(t.key);
            } else {
                outstanding.put(t.key, n);
            }
            return true;
        }

        private void stale(String k) {
            generations.remove(k);
            outstanding.remove(k);
            installedByFlight.remove(k);
        }

        private void remove(String k) {
            bytes -= weigh(k, map.remove(k));
            deadlines.remove(k);
        }

        private static long weigh(String k, byte[] v) {
            return k.length() + v.length + StripedLruCache.ENTRY_OVERHEAD_BYTES;
        }

        CacheStats stats() {
            return new CacheStats(
                    hits,
                    misses,
                    map.size(),
                    bytes,
                    evictedBySize,
                    evictedByBytes,
                    expired,
                    invalidated,
                    staleFills,
                    rejected,
                    outstanding.size(),
                    0);
        }
    }
}
