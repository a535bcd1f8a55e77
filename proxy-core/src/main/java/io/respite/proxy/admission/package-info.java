/**
 * Admission control: what keeps respite, and the Redis behind it, from being overrun. Request
 * rates per client connection and for all clients together (token buckets, {@link
 * io.respite.proxy.admission.ClientAdmission}), and a bound on the commands in flight to Redis
 * across every event loop, beyond which commands wait in a bounded queue ({@link
 * io.respite.proxy.admission.LimitedLane}, a decorator of the upstream lane). {@link
 * io.respite.proxy.admission.Admission} is made once per server and owns the shared state and
 * the counters.
 *
 * <p>Threading: {@code Admission} and the global bucket are thread-safe and lock-free; a {@code
 * ClientAdmission} belongs to one client and a {@code LimitedLane} to one event loop, and only
 * that loop's thread may call them. Depends on the upstream lane and reply contracts, the
 * config's option records and Netty; must not depend on dispatch, sessions, the cache or
 * coherence.
 */
package io.respite.proxy.admission;
