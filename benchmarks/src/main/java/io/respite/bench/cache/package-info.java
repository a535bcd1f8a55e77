/**
 * JMH benchmarks and the footprint measurement of the proxy's local cache
 * ({@code io.respite.proxy.cache.StripedLruCache}) against Caffeine at the same maximum size, on
 * Zipf-distributed binary keys over a key space ten times the capacity. Results and the exact
 * commands are in {@code benchmarks/README.md}, section "Cache".
 */
package io.respite.bench.cache;
