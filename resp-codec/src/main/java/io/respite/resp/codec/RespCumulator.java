package io.respite.resp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.function.BooleanSupplier;

/**
 * How a RESP decoder gathers the bytes of a message that arrives in several reads. While the
 * decoder waits for the body of a large blob (it knows the declared length), reads are composed,
 * not copied: merging re-copies everything gathered so far on each read, which for a 100 KiB
 * reply in 16 KiB reads is quadratic. Otherwise reads are merged into one contiguous buffer,
 * which is faster to scan for the many small messages of a pipeline.
 */
final class RespCumulator implements ByteToMessageDecoder.Cumulator {

    /** Declared blob length, in bytes, from which its reads are composed rather than copied. */
    static final int COMPOSE_FROM_BYTES = 16 * 1024;

    private final BooleanSupplier awaitingLargeBlob;

    /**
     * @param awaitingLargeBlob whether the decoder is waiting for a blob of at least
     *     {@value #COMPOSE_FROM_BYTES} bytes
     */
    RespCumulator(BooleanSupplier awaitingLargeBlob) {
        this.awaitingLargeBlob = awaitingLargeBlob;
    }

    /** Takes ownership of {@code cumulation} and {@code in}; returns the new cumulation. */
    @Override
    public ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        if (cumulation.isReadable() && awaitingLargeBlob.getAsBoolean()) {
            return ByteToMessageDecoder.COMPOSITE_CUMULATOR.cumulate(alloc, cumulation, in);
        }
        return ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
    }
}
