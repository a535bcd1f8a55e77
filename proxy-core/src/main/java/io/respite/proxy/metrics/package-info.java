/**
 * respite's figures in the Prometheus text format, through the Prometheus Java client: a registry
 * of counters and gauges read at scrape time from where each figure is kept (the cache's stripes,
 * each event loop's own counters, coherence's adders), so that counting costs the hot path no
 * shared write, plus the JVM's own metrics and Netty's direct memory. Which figures exist is
 * wired by the proxy's root package; this package knows none of them.
 *
 * <p>Threading: registration at start, scrapes from any thread. Depends on the Prometheus client
 * and Netty's buffer allocator only; must not depend on any other respite package.
 */
package io.respite.proxy.metrics;
