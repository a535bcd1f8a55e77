package io.respite.resp;

import java.util.Objects;

/** A RESP3 big number ({@code (3492890328409238509324850943850943825024385}), digits as sent. */
public record RespBigNumber(String digits) implements RespMessage {

    public RespBigNumber {
        Objects.requireNonNull(digits, "digits");
    }

    @Override
    public RespType type() {
        return RespType.BIG_NUMBER;
    }
}
