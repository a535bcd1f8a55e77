/**
 * Pub/sub multiplexing: one upstream subscriber connection per event loop carries the union of
 * the channels, patterns and shard channels its clients subscribed to, reference counted, and
 * fans each message out to the clients subscribed to it ({@link io.respite.proxy.pubsub.Subscriber}).
 * Depends on upstream, the codec's public API and Netty buffers; must not depend on sessions,
 * dispatch or the cache.
 */
package io.respite.proxy.pubsub;
