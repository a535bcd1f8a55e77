package io.respite.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.respite.proxy.eventloop.LoopFlusher;
import org.jspecify.annotations.Nullable;

/**
 * Writes one client's replies, in the order it is given them, with as few writes and flushes as
 * possible: replies up to {@value #BATCH_COPY_MAX_BYTES} bytes are copied into one pooled direct
 * buffer per event-loop iteration (a cache hit costs a copy of its bytes, no buffer of its own);
 * larger ones are written as they are, behind the batch. Replies written while the client's own
 * read is being handled are flushed at that read's end ({@code channelReadComplete}), with no loop
 * task; others (upstream replies, which arrive on another channel's read) by the loop's
 * {@link LoopFlusher}.
 *
 * <p>Owned by one session, on its channel's event loop; not thread-safe.
 */
final class ReplyWriter {

    /** Replies up to this size, in bytes, are copied into the iteration's batch buffer. */
    static final int BATCH_COPY_MAX_BYTES = 2048;

    /** First capacity of a batch buffer, in bytes; it grows as replies arrive. */
    private static final int BATCH_INITIAL_BYTES = 4096;

    private final ChannelHandlerContext ctx;
    private final LoopFlusher.Target flushTarget;
    /** Small replies of this iteration, not yet written to the channel; null when none. */
    private @Nullable ByteBuf batch;
    /** True between the first channelRead of a read burst and its channelReadComplete. */
    private boolean inReadBurst;

    private boolean flushAtReadComplete;

    ReplyWriter(ChannelHandlerContext ctx, LoopFlusher flusher) {
        this.ctx = ctx;
        this.flushTarget = flusher.target(this::flush);
    }

    /** Takes ownership of {@code reply}: copies it into the batch, or writes it behind the batch. */
    void write(ByteBuf reply) {
        if (!ctx.channel().isActive()) {
            reply.release();
            return;
        }
        int length = reply.readableBytes();
        if (length <= BATCH_COPY_MAX_BYTES) {
            batch(length).writeBytes(reply, reply.readerIndex(), length);
            reply.release();
        } else {
            writeBatch();
            ctx.write(reply, ctx.voidPromise());
        }
        flushSoon();
    }

    /** Writes a copy of {@code wire}, a small reply already in RESP form (a cache hit); borrows it. */
    void writeCopy(byte[] wire) {
        batch(wire.length).writeBytes(wire);
        flushSoon();
    }

    /** The client's read burst began: what is written until its end is flushed there. */
    void readStarted() {
        inReadBurst = true;
    }

    /** The client's read burst ended: flushes what it produced. */
    void readComplete() {
        inReadBurst = false;
        if (flushAtReadComplete) {
            flushAtReadComplete = false;
            flush();
        }
    }

    /** The batch, then everything written, to the socket now; then the channel is closed if {@code close}. */
    void flush() {
        writeBatch();
        ctx.flush();
    }

    /**
     * Bytes written and not yet taken by the socket: the batch and the channel's outbound buffer
     * (which, when the client does not read, holds what its socket buffer could not).
     */
    long unsentBytes() {
        ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
        return (batch == null ? 0 : batch.readableBytes()) + (outbound == null ? 0 : outbound.totalPendingWriteBytes());
    }

    /** The channel is gone: drops the batch. */
    void release() {
        if (batch != null) {
            batch.release();
            batch = null;
        }
    }

    private void flushSoon() {
        if (inReadBurst) {
            flushAtReadComplete = true;
        } else {
            flushTarget.flushLater();
        }
    }

    private ByteBuf batch(int room) {
        if (batch == null) {
            batch = ctx.alloc().directBuffer(Math.max(BATCH_INITIAL_BYTES, room));
        }
        return batch;
    }

    /** Hands the batch to the channel (which then owns it). */
    private void writeBatch() {
        if (batch != null) {
            ByteBuf out = batch;
            batch = null;
            ctx.write(out, ctx.voidPromise());
        }
    }
}
