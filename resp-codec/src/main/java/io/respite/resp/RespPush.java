package io.respite.resp;

import java.util.List;

/** A RESP3 push ({@code >3}): out-of-band data such as pub/sub messages and invalidations. */
public final class RespPush extends RespAggregate {

    /** Takes ownership of every element. */
    public RespPush(List<? extends RespMessage> elements) {
        super(elements);
    }

    @Override
    public RespType type() {
        return RespType.PUSH;
    }
}
