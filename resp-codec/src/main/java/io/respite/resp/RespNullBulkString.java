package io.respite.resp;

/** The RESP2 null bulk string ({@code $-1}), Redis's RESP2 nil for a missing key. */
public enum RespNullBulkString implements RespMessage {
    INSTANCE;

    @Override
    public RespType type() {
        return RespType.BULK_STRING;
    }
}
