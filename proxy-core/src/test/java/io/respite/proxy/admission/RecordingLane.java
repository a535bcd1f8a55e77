package io.respite.proxy.admission;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.DedicatedConnection;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.resp.RespVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * A lane below the limited one: records what reaches it, in order, and answers when the test
 * says so. Its loop is an {@link EmbeddedChannel}'s: tasks run when the test calls {@link
 * #runTasks()}.
 */
final class RecordingLane implements UpstreamLane {

    /** A command that reached the lane; owns its frame until answered. */
    record Sent(String text, ByteBuf frame, ReplyCallback callback) {

        void answer(String reply) {
            frame.release();
            callback.onReply(Unpooled.copiedBuffer(reply, StandardCharsets.US_ASCII));
        }

        void fail(String error) {
            frame.release();
            callback.onFailure(error);
        }
    }

    final ArrayDeque<Sent> sent = new ArrayDeque<>();
    final ArrayDeque<String> outOfBand = new ArrayDeque<>();
    private final EmbeddedChannel loopChannel = new EmbeddedChannel();
    private final EventLoop loop;

    /** A lane on an embedded loop. */
    RecordingLane() {
        this.loop = loopChannel.eventLoop();
    }

    /** A lane on {@code loop}; only the loop's thread may use it. */
    RecordingLane(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public void send(int database, RespVersion version, ByteBuf frame, ReplyCallback callback) {
        sent.add(new Sent(frame.toString(StandardCharsets.US_ASCII), frame, callback));
    }

    /** The oldest command sent and not answered. */
    Sent next() {
        Sent next = sent.poll();
        if (next == null) {
            throw new AssertionError("nothing was sent");
        }
        return next;
    }

    void runTasks() {
        loopChannel.runPendingTasks();
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public int trackingEpoch(RespVersion version) {
        return 7;
    }

    @Override
    public void sendOutOfBand(RespVersion version, ByteBuf frame, ReplyCallback callback) {
        outOfBand.add(frame.toString(StandardCharsets.US_ASCII));
        frame.release();
    }

    @Override
    public DedicatedConnection dedicated(RespVersion version, Consumer<ByteBuf> frames, Consumer<String> lost) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void awaitDedicated(Consumer<Boolean> wake) {
        throw new UnsupportedOperationException();
    }

    @Override
    public DedicatedConnection subscriber(Consumer<ByteBuf> frames, Consumer<String> lost) {
        throw new UnsupportedOperationException();
    }
}
