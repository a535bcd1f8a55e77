package io.respite.resp;

import java.util.Objects;

/** An error ({@code -ERR message}); {@link #code()} is its first word. */
public record RespError(String message) implements RespMessage {

    public RespError {
        Objects.requireNonNull(message, "message");
    }

    @Override
    public RespType type() {
        return RespType.ERROR;
    }

    /** The error code, the first word of the message ({@code ERR}, {@code WRONGTYPE}, {@code MOVED}). */
    public String code() {
        int space = message.indexOf(' ');
        return space < 0 ? message : message.substring(0, space);
    }
}
