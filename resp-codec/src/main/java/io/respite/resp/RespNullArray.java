package io.respite.resp;

/** The RESP2 null array ({@code *-1}), as a timed-out BLPOP replies in RESP2. */
public enum RespNullArray implements RespMessage {
    INSTANCE;

    @Override
    public RespType type() {
        return RespType.ARRAY;
    }
}
