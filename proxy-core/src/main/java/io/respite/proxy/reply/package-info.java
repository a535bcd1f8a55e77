/**
 * The contract between what produces a reply (an upstream connection, the cache path) and what
 * waits for it (a client session): {@link io.respite.proxy.reply.ReplyCallback}, told exactly
 * once, on one event loop. Neutral ground, so that sessions and upstream connections know this
 * and not each other. Depends on Netty's buffers only.
 */
package io.respite.proxy.reply;
