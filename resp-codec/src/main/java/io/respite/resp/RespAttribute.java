package io.respite.resp;

import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * A RESP3 attribute ({@code |1}) together with the value it annotates: on the wire the attribute's
 * pairs come first and the value right after, and the two form one reply. {@link #elements()}
 * holds the alternating keys and values; {@link #value()} the annotated reply.
 */
public final class RespAttribute extends RespAggregate {

    private final RespMessage value;

    /** Takes ownership of every element and of {@code value}. */
    public RespAttribute(List<? extends RespMessage> keysAndValues, RespMessage value) {
        super(RespMap.requireEven(keysAndValues));
        this.value = value;
    }

    public RespMessage value() {
        return value;
    }

    /** Number of key-value pairs in the attribute. */
    public int pairCount() {
        return elements().size() / 2;
    }

    @Override
    public RespType type() {
        return RespType.ATTRIBUTE;
    }

    @Override
    protected void deallocate() {
        super.deallocate();
        ReferenceCountUtil.release(value);
    }

    @Override
    public RespAttribute touch(Object hint) {
        super.touch(hint);
        ReferenceCountUtil.touch(value, hint);
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && value.equals(((RespAttribute) o).value);
    }

    @Override
    public int hashCode() {
        return super.hashCode() * 31 + value.hashCode();
    }

    @Override
    public String toString() {
        return "RespAttribute" + elements() + " -> " + value;
    }
}
