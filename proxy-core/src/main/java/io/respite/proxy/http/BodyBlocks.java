package io.respite.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import org.jspecify.annotations.Nullable;

/**
 * A PUT's body gathered for its way upstream: each part the HTTP codec hands on is copied once
 * into blocks of up to {@value #BLOCK_BYTES} bytes (of exactly the declared length when the
 * client gave one), and the part released at once. Keeping the parts themselves would pin the
 * network buffers they are slices of, which can be several times larger than the bytes they hold;
 * this copy bounds a body's memory to its length plus one block. The blocks become the SET's
 * frame as they are, with no further copy.
 *
 * <p>On the connection's event loop; not thread-safe.
 */
abstract class BodyBlocks implements Routes.Body {

    /** Largest block: small enough to waste little, large enough to keep a 512 MB body to 512 blocks. */
    static final int BLOCK_BYTES = 1024 * 1024;

    private final ByteBufAllocator alloc;
    private final long maxBytes;
    private final CompositeByteBuf blocks;
    /** The block being filled, not yet in {@link #blocks}; null when none is. */
    private @Nullable ByteBuf block;
    /** Bytes still expected by the declared length, or -1 when none was declared. */
    private long expected;

    private long received;
    private boolean released;

    /**
     * @param declared the body's declared length ({@code Content-Length}), or -1
     * @param maxBytes the longest body taken
     */
    BodyBlocks(ByteBufAllocator alloc, long declared, long maxBytes) {
        this.alloc = alloc;
        this.maxBytes = maxBytes;
        this.expected = declared;
        this.blocks = alloc.compositeDirectBuffer(Integer.MAX_VALUE);
    }

    /** The body is complete: sends it on. Takes ownership of {@code body}. */
    abstract void complete(CompositeByteBuf body);

    /** The body went over the limit: answers the request (413); nothing more is read. */
    abstract void overLimit();

    @Override
    public final boolean append(ByteBuf part) {
        try {
            received += part.readableBytes();
            if (received > maxBytes) {
                discard();
                overLimit();
                return false;
            }
            while (part.isReadable()) {
                ByteBuf filling = block;
                if (filling == null) {
                    long size = expected > 0 ? Math.min(expected, BLOCK_BYTES) : BLOCK_BYTES;
                    filling = alloc.directBuffer((int) size);
                    block = filling;
                }
                int n = Math.min(part.readableBytes(), filling.writableBytes());
                filling.writeBytes(part, n);
                if (expected > 0) {
                    expected -= n;
                }
                if (!filling.isWritable()) {
                    blocks.addComponent(true, filling);
                    block = null;
                }
            }
            return true;
        } finally {
            part.release();
        }
    }

    @Override
    public final void complete() {
        ByteBuf last = block;
        block = null;
        if (last != null) {
            blocks.addComponent(true, last);
        }
        released = true;
        complete(blocks);
    }

    @Override
    public final void discard() {
        if (released) {
            return;
        }
        released = true;
        if (block != null) {
            block.release();
            block = null;
        }
        blocks.release();
    }
}
