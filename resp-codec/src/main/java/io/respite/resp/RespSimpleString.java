package io.respite.resp;

import java.util.Objects;

/** A simple string ({@code +OK}). */
public record RespSimpleString(String value) implements RespMessage {

    public RespSimpleString {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public RespType type() {
        return RespType.SIMPLE_STRING;
    }
}
