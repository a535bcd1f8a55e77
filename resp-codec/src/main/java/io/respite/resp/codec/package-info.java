/**
 * Netty handlers that turn bytes into RESP messages and back: {@link
 * io.respite.resp.codec.RespRequestDecoder} (client requests, RESP arrays and inline commands),
 * {@link io.respite.resp.codec.RespFrameDecoder} (one retained slice per complete reply, for
 * relaying), {@link io.respite.resp.codec.RespReplyDecoder} (replies as message trees) and {@link
 * io.respite.resp.codec.RespEncoder} / {@link io.respite.resp.codec.RespWriter} (messages to bytes).
 *
 * <p>All handlers run on their channel's event loop; no class here is thread-safe, and decoders
 * are per channel (not {@code @Sharable}). Every decoder checks {@link io.respite.resp.RespLimits}
 * before it waits for more bytes. Depends only on Netty and {@code io.respite.resp}.
 */
package io.respite.resp.codec;
