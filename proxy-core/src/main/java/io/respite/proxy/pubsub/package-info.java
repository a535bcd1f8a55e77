/**
 * Pub/sub multiplexing: one upstream subscriber connection per event loop and lane carries the
 * union of the channels, patterns and shard channels its clients subscribed to, reference counted,
 * and fans each message out to the clients subscribed to it ({@link io.respite.proxy.pubsub.Subscriber});
 * in a Redis Cluster, shard channels are held by the lane of their slot's primary.
 * Depends on upstream, the codec's public API and Netty buffers; must not depend on sessions,
 * dispatch or the cache.
 */
package io.respite.proxy.pubsub;
