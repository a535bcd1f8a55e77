/**
 * Hot keys: the keys read most often over a sliding window, estimated per event loop with the
 * Space-Saving algorithm in bounded memory whatever the number of distinct keys
 * ({@link io.respite.proxy.hotkeys.HotKeys}), for /stats, INFO and the dashboard.
 *
 * <p>This package owns its summaries and the copies of key bytes they retain; keys handed to a
 * recorder are only read during the call. Threading contract: each {@code Recorder} is confined to
 * the event loop it was made for (no lock, no atomic, no volatile on the record path), and a report
 * is assembled by running a snapshot task on each loop; see the design comment of {@code HotKeys}.
 * Depends only on the JDK and fastutil (annotations aside), so it is tested and benchmarked on its
 * own.
 */
package io.respite.proxy.hotkeys;
