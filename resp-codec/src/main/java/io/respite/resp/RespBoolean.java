package io.respite.resp;

/** A RESP3 boolean ({@code #t} or {@code #f}). */
public record RespBoolean(boolean value) implements RespMessage {

    public static final RespBoolean TRUE = new RespBoolean(true);
    public static final RespBoolean FALSE = new RespBoolean(false);

    @Override
    public RespType type() {
        return RespType.BOOLEAN;
    }
}
