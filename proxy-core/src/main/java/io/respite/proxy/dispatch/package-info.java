/**
 * What happens to each command: answered locally as Redis would (PING, ECHO, HELLO, AUTH,
 * SELECT, CLIENT ...), answered from the cache (GET hits), or forwarded upstream unchanged, with
 * the keys of write commands leaving the cache. The knowledge of which commands write, and where
 * their keys are, comes from the upstream's own command table ({@link
 * io.respite.proxy.dispatch.Catalog}), loaded when it connects.
 *
 * <p>Threading: {@link io.respite.proxy.dispatch.CommandDispatcher} is shared by every session;
 * it keeps no per-session state and runs on the calling session's event loop. Depends on
 * session, upstream, command, cache and the codec.
 */
package io.respite.proxy.dispatch;
