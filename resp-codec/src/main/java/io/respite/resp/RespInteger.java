package io.respite.resp;

/** An integer reply ({@code :42}). */
public record RespInteger(long value) implements RespMessage {

    @Override
    public RespType type() {
        return RespType.INTEGER;
    }
}
