package io.respite.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.respite.proxy.reply.ReplyCallback;
import org.jspecify.annotations.Nullable;

/**
 * The replies to one request's pipelined commands, gathered until the last is in, then turned
 * into the request's response: by {@code answer}, or by {@code failed} when a command got no
 * reply or an error reply (but in a lenient slot, whose errors {@code answer} reads itself). Each
 * slot is answered exactly once; the frames are released once the response is made.
 *
 * <p>On the connection's event loop; not thread-safe.
 */
final class Replies {

    /** The response to a request one of whose commands failed. */
    @FunctionalInterface
    interface Failed {
        /**
         * The response for {@code error}.
         *
         * @param error the error reply's text, or why there was no reply
         * @param noReply true when the command got no reply at all (upstream unavailable, timed
         *     out, ops limit): the request may succeed later
         */
        FullHttpResponse failed(String error, boolean noReply);
    }

    /** Makes a response from the frames (borrowed), or null to go on with {@link #then}'s next step. */
    @FunctionalInterface
    interface Answer {
        @Nullable
        FullHttpResponse answer(ByteBuf[] frames);
    }

    private final @Nullable ByteBuf[] frames;
    private final boolean[] lenient;
    private final Answer answer;
    private final Failed failed;
    private boolean noReply;
    private int outstanding;
    private @Nullable String failure;
    private @Nullable Exchange exchange;
    private @Nullable Runnable next;
    private boolean abandoned;

    Replies(int count, Answer answer, Failed failed) {
        this.frames = new ByteBuf[count];
        this.lenient = new boolean[count];
        this.outstanding = count;
        this.answer = answer;
        this.failed = failed;
    }

    /** The callback of the command whose reply goes in slot {@code index}. */
    ReplyCallback slot(int index) {
        return new ReplyCallback() {
            @Override
            public void onReply(ByteBuf frame) {
                if (abandoned) {
                    frame.release();
                    return;
                }
                frames[index] = frame;
                if (!lenient[index] && failure == null && ReplyFrames.isError(frame)) {
                    failure = ReplyFrames.errorText(frame);
                }
                arrived();
            }

            @Override
            public void onFailure(String error) {
                if (failure == null) {
                    failure = error;
                    noReply = true;
                }
                arrived();
            }
        };
    }

    /** As {@link #slot}, for a reply whose errors the answer reads itself. */
    ReplyCallback lenientSlot(int index) {
        lenient[index] = true;
        return slot(index);
    }

    /** Answers {@code exchange} once every reply is in (perhaps at once). */
    void await(Exchange exchange) {
        this.exchange = exchange;
        finishIfComplete();
    }

    /** As {@link #await}; when the answer is null, runs {@code next} instead, which answers. */
    void then(Exchange exchange, Runnable next) {
        this.next = next;
        await(exchange);
    }

    /** Nothing will be answered: releases what arrived and what arrives later. */
    void abandon() {
        abandoned = true;
        releaseFrames();
    }

    private void arrived() {
        outstanding--;
        finishIfComplete();
    }

    private void finishIfComplete() {
        Exchange waiting = exchange;
        if (outstanding > 0 || waiting == null || abandoned) {
            return;
        }
        abandoned = true;
        FullHttpResponse response;
        try {
            response = failure != null ? failed.failed(failure, noReply) : answer.answer(nonNull());
        } catch (RuntimeException e) {
            // A reply the answer could not read: the request is still answered, never left hanging.
            response = Responses.text(HttpResponseStatus.BAD_GATEWAY, "unexpected reply from the upstream");
        } finally {
            releaseFrames();
        }
        if (response != null) {
            waiting.respond(response);
        } else if (next != null) {
            next.run();
        }
    }

    @SuppressWarnings("NullAway") // every slot has its frame once no reply is outstanding and none failed
    private ByteBuf[] nonNull() {
        return frames;
    }

    private void releaseFrames() {
        for (int i = 0; i < frames.length; i++) {
            ByteBuf frame = frames[i];
            if (frame != null) {
                frames[i] = null;
                frame.release();
            }
        }
    }
}
