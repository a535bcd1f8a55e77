/**
 * The warm restart ({@code --warm-file}): {@link io.respite.proxy.warm.WarmFile}, the versioned,
 * checksummed file of the hottest keys written at a graceful stop, and {@link
 * io.respite.proxy.warm.Warmup}, which prefetches them at the next start as one more client of
 * the command router, so every key goes through the normal fill path (single-flight, load
 * tokens, tracking) and through admission, paced and bounded in flight.
 *
 * <p>Threading: {@code WarmFile} is stateless; a {@code Warmup} runs on one event loop, and only
 * its progress is read from other threads. Depends on the session contracts ({@code ReplySink},
 * {@code CommandHandler}), the reply contract, the codec's public API, the cache's key layout
 * ({@code DatabaseKeys}) and Netty; must not depend on dispatch, upstream, admission or config.
 */
package io.respite.proxy.warm;
