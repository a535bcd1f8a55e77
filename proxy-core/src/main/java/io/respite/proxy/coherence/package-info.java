/**
 * Coherence: how the cache follows Redis across respite replicas. In tracking mode the
 * invalidation stream (Redis's CLIENT TRACKING, redirected to one connection per process) drops
 * what changed, and fills are cached only when Redis tracked their read; in every mode a fill is
 * capped at the key's own expiry. {@link io.respite.proxy.coherence.Coherence} holds the state,
 * thread-safe, read by every event loop. Depends on the cache, upstream, reply and the codec's
 * public API; must not depend on sessions or dispatch.
 */
package io.respite.proxy.coherence;
