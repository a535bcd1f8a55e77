package io.respite.resp;

import java.util.List;

/** A RESP3 set ({@code ~2}), as SMEMBERS replies under HELLO 3. */
public final class RespSet extends RespAggregate {

    /** Takes ownership of every element. */
    public RespSet(List<? extends RespMessage> elements) {
        super(elements);
    }

    @Override
    public RespType type() {
        return RespType.SET;
    }
}
