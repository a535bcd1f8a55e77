/**
 * The RESP message model shared by respite's codec and its users: replies of every RESP2 and
 * RESP3 type ({@link io.respite.resp.RespMessage}), client requests
 * ({@link io.respite.resp.RespCommand}), the protocol version and the decoder limits.
 *
 * <p>Messages that hold buffers ({@link io.respite.resp.RespBulkString},
 * {@link io.respite.resp.RespBlobError}, {@link io.respite.resp.RespVerbatimString}, every
 * aggregate, and {@link io.respite.resp.RespCommand}) are reference counted; releasing an
 * aggregate releases its elements. Everything else is an immutable value. Depends on Netty's
 * buffer API (and its {@code DecoderException}, which {@link io.respite.resp.RespCodecException}
 * is) and the codec's byte helpers; no class here touches a channel.
 */
package io.respite.resp;
