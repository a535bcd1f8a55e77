/**
 * The HTTP API: {@code GET/HEAD/PUT/DELETE /keys/{key}}, the earlier proxies' {@code /lookup?key=}
 * and {@code /{key}}, on Netty's HTTP/1.1 codec and respite's own event loops. An HTTP connection
 * is one more client of the {@link io.respite.proxy.dispatch.CommandRouter}: each request becomes
 * the RESP commands a Redis user would send (GET, SET, DEL), so hits come from the same cache,
 * writes invalidate it, coherence, the ops limit and the upstream lanes are the RESP path's own.
 * This package owns only what is HTTP: request targets, methods and statuses, ETags, bodies on
 * their way to and from RESP frames, response order under pipelining, keep-alive, slow clients.
 *
 * <p>Threading: a connection runs on its channel's event loop, as a RESP session does. Depends on
 * session (the contract between a client and the router: {@code ReplySink}, {@code CommandHandler}),
 * reply, eventloop, config (its options), the codec's public API, Netty and Jackson's streaming core;
 * must not depend on dispatch, upstream, cache, coherence, command, pubsub, the codec's
 * {@code internal} package or the proxy's root package: the root wires it to the router.
 */
package io.respite.proxy.http;
