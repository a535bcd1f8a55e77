package io.respite.resp;

import io.netty.handler.codec.DecoderException;

/**
 * Malformed or over-limit RESP from a peer. Its message is the error text without the leading
 * {@code -} (for requests, exactly what Redis 7 replies, such as
 * {@code ERR Protocol error: invalid bulk length}). The connection it came from cannot be
 * resynchronised and must be closed.
 */
public final class RespCodecException extends DecoderException {

    private static final long serialVersionUID = 1L;

    public RespCodecException(String message) {
        super(message);
    }
}
