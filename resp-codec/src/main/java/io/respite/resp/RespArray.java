package io.respite.resp;

import java.util.List;

/** An array ({@code *2}), the reply of most multi-value commands. */
public final class RespArray extends RespAggregate {

    /** Takes ownership of every element. */
    public RespArray(List<? extends RespMessage> elements) {
        super(elements);
    }

    @Override
    public RespType type() {
        return RespType.ARRAY;
    }
}
