/**
 * TLS: the {@code SslContext}s of the client listeners and of the upstream connections (and the
 * same settings as Lettuce's {@code SslOptions}, for the connections Lettuce opens), the choice
 * between OpenSSL (netty-tcnative's BoringSSL) and the JDK's provider, the watch that re-reads the
 * listeners' certificate and key when their files change, and the words a failed handshake is
 * logged and reported with.
 *
 * <p>Threading: {@link io.respite.proxy.tls.ServerTls} is read from every event loop (a new
 * handler per accepted connection) and swapped by its watcher thread through one volatile
 * reference: a handshake uses the material in force when it began, and connections that exist keep
 * theirs. Everything else here is stateless. Depends on the config's option records, logging,
 * Netty, Lettuce's TLS options and the JDK; nothing of sessions, dispatch or the upstream.
 */
package io.respite.proxy.tls;
