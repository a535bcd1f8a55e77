package io.respite.resp;

/** The RESP3 null ({@code _}), which replaces both RESP2 nulls under {@code HELLO 3}. */
public enum RespNull implements RespMessage {
    INSTANCE;

    @Override
    public RespType type() {
        return RespType.NULL;
    }
}
