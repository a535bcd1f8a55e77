/**
 * The Netty side of one client connection: reading its commands, the order of its replies,
 * backpressure (by count and by bytes), its output limits and its lifecycle. A session hands each
 * decoded command to the {@link io.respite.proxy.session.CommandHandler} made for it, which reaches
 * the client only through {@link io.respite.proxy.session.ReplySink}, and delivers replies strictly
 * in request order whether they come at once or later.
 *
 * <p>Threading: a session runs on its channel's event loop and is not thread-safe; replies from
 * the upstream arrive on the same loop. Depends on the codec, the reply contract, the event-loop
 * plumbing and logging; must not depend on dispatch, upstream, command, cache or coherence: what a command
 * means is not its business.
 */
package io.respite.proxy.session;
