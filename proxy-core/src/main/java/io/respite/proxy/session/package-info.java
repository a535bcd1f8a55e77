/**
 * One client connection: its protocol state (database, RESP version, name, authentication),
 * the order of its replies, and its backpressure. A session hands each decoded command to the
 * {@link io.respite.proxy.session.CommandHandler} it was given, and delivers replies strictly in
 * request order whether they come from the cache at once or from the upstream later.
 *
 * <p>Threading: a session runs on its channel's event loop and is not thread-safe; replies from
 * the upstream arrive on the same loop. Depends on the codec, the upstream API and the event-loop
 * plumbing; must not depend on dispatch (the handler is passed in).
 */
package io.respite.proxy.session;
