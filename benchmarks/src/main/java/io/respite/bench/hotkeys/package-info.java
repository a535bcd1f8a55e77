/**
 * JMH benchmark of the hot-keys recorder ({@code io.respite.proxy.hotkeys}): the cost of one
 * {@code record} on the read path. Results and the exact command are in
 * {@code benchmarks/README.md}, section "Issue 12: hot keys".
 */
package io.respite.bench.hotkeys;
