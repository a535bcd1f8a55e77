package io.respite.resp;

import java.util.List;

/**
 * A RESP3 map ({@code %2}). Kept as alternating keys and values in wire order, so duplicate
 * keys and their order survive a round trip.
 */
public final class RespMap extends RespAggregate {

    /** Takes ownership of every element; {@code keysAndValues} alternate, so its size is even. */
    public RespMap(List<? extends RespMessage> keysAndValues) {
        super(requireEven(keysAndValues));
    }

    static List<? extends RespMessage> requireEven(List<? extends RespMessage> keysAndValues) {
        if ((keysAndValues.size() & 1) != 0) {
            throw new IllegalArgumentException("keysAndValues: " + keysAndValues.size() + " elements (expected: even)");
        }
        return keysAndValues;
    }

    /** Number of key-value pairs. */
    public int pairCount() {
        return elements().size() / 2;
    }

    @Override
    public RespType type() {
        return RespType.MAP;
    }
}
