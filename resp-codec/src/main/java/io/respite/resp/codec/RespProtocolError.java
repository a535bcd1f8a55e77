package io.respite.resp.codec;

import java.util.Objects;

/**
 * Emitted by {@link RespRequestDecoder}, in order after the commands that preceded it, when a
 * client sends malformed or over-limit input. The session replies {@code -}{@link #message()} and
 * closes the connection once that reply is flushed, as Redis does; the decoder discards everything
 * after it.
 *
 * @param message the error text without the leading {@code -}, exactly as Redis 7 words it
 */
public record RespProtocolError(String message) {

    public RespProtocolError {
        Objects.requireNonNull(message, "message");
    }
}
