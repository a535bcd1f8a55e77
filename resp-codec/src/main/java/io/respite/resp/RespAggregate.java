package io.respite.resp;

import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * A value made of other values: array, set, push, map or attribute. Reference counted: it owns
 * one reference to each element, and releasing it releases them.
 */
public abstract sealed class RespAggregate extends AbstractReferenceCounted implements RespMessage
        permits RespArray, RespSet, RespPush, RespMap, RespAttribute {

    private final List<RespMessage> elements;

    /** Takes ownership of every element. */
    RespAggregate(List<? extends RespMessage> elements) {
        this.elements = List.copyOf(elements);
    }

    /**
     * The elements in wire order; for a map or an attribute, keys and values alternate. The list
     * is borrowed: the elements stay valid while this aggregate is not released.
     */
    public List<RespMessage> elements() {
        return elements;
    }

    @Override
    public RespAggregate touch(Object hint) {
        for (RespMessage element : elements) {
            ReferenceCountUtil.touch(element, hint);
        }
        return this;
    }

    @Override
    protected void deallocate() {
        for (RespMessage element : elements) {
            ReferenceCountUtil.release(element);
        }
    }

    // An array, a set and a push with the same elements are different replies: the class is part of the value.
    @SuppressWarnings("EqualsGetClass")
    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && elements.equals(((RespAggregate) o).elements);
    }

    @Override
    public int hashCode() {
        return getClass().hashCode() * 31 + elements.hashCode();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + elements;
    }
}
