package io.respite.proxy.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.respite.proxy.eventloop.LoopFlusher;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespCommand;
import io.respite.resp.codec.RespRequestDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session between a real request decoder and a fake handler whose replies come when the test
 * says so:
 * reply order, backpressure by count and by bytes, the output limits, and failures that cascade
 * through a deep queue without deepening the stack.
 */
class ClientSessionTest {

    private static final String DOWN = "ERR upstream unavailable (down)";

    private final FakeUpstream lane = new FakeUpstream();
    private EmbeddedChannel channel;

    private void open(OutputLimits limits) {
        open(limits, sink -> new ForwardAll(sink, lane));
    }

    private void open(OutputLimits limits, Function<ReplySink, CommandHandler> handlers) {
        channel = new EmbeddedChannel();
        LoopFlusher flusher = new LoopFlusher(channel.eventLoop());
        RespRequestDecoder decoder = new RespRequestDecoder();
        channel.pipeline().addLast(decoder, new ClientSession(handlers, flusher, decoder, limits));
    }

    @AfterEach
    void close() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        lane.waiting.clear();
    }

    @Test
    void aFailureCascadingThroughADeepQueueUsesConstantStack() {
        open(OutputLimits.NONE);
        int commands = 100_000;
        channel.writeInbound(gets(commands));
        assertEquals(
                OutputBudget.FORWARD_WINDOW_BYTES / OutputBudget.INITIAL_ESTIMATE_BYTES,
                lane.waiting.size(),
                "the first window is forwarded, the rest held");
        // The upstream goes down: the forwarded commands fail, and every held one fails at once
        // when it is handed on, inside the failure of the one before it.
        lane.failWith = DOWN;
        lane.failWaiting();
        channel.runPendingTasks();
        assertEquals(commands, countReplies("-" + DOWN + "\r\n"), "every command answered, in order");
    }

    @Test
    void repliesLeaveInRequestOrderWhateverOrderTheyArriveIn() {
        open(OutputLimits.NONE);
        channel.writeInbound(gets(3));
        ReplyCallback first = lane.waiting.poll();
        ReplyCallback second = lane.waiting.poll();
        ReplyCallback third = lane.waiting.poll();
        third.onReply(bulk("c"));
        second.onReply(bulk("b"));
        channel.runPendingTasks();
        assertEquals("", outbound(), "nothing before the first reply");
        first.onReply(bulk("a"));
        channel.runPendingTasks();
        assertEquals("$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", outbound());
    }

    @Test
    void largeRepliesShrinkTheForwardingWindow() {
        open(OutputLimits.NONE);
        channel.writeInbound(gets(200));
        assertEquals(16, lane.waiting.size(), "a client's first pipeline goes 16 at a time");
        int mb = 1024 * 1024;
        lane.waiting.poll().onReply(bulk("x".repeat(2 * mb)));
        channel.runPendingTasks();
        assertEquals(15, lane.waiting.size(), "after a 2 MB reply, 15 expected 2 MB replies already fill the window");
        for (int i = 0; i < 15; i++) {
            lane.waiting.poll().onReply(bulk("y"));
        }
        channel.runPendingTasks();
        assertTrue(lane.waiting.size() > 16, "small replies open the window again: " + lane.waiting.size());
        assertTrue(lane.waiting.size() <= ClientSession.MAX_PENDING_REPLIES, "never beyond the count limit");
    }

    @Test
    void aClientOverItsHardLimitIsDisconnected() {
        open(new OutputLimits(8 * 1024 * 1024, 0, 0));
        channel.writeInbound(gets(16));
        ReplyCallback head = lane.waiting.poll();
        String mb = "x".repeat(1024 * 1024);
        // Replies behind a slow head wait in respite: 1 MB (and 12 bytes of framing) each.
        for (int i = 0; i < 7; i++) {
            lane.waiting.poll().onReply(bulk(mb));
            channel.runPendingTasks();
            assertTrue(channel.isActive(), "within the limit after " + (i + 1) + " MB");
        }
        lane.waiting.poll().onReply(bulk(mb));
        channel.runPendingTasks();
        assertFalse(channel.isActive(), "over the hard limit: disconnected");
        head.onReply(bulk("late"));
        for (ReplyCallback late; (late = lane.waiting.poll()) != null; ) {
            late.onReply(bulk(mb));
        }
        channel.runPendingTasks();
        assertEquals(0, countReplies("$"), "nothing is written to a client closed for its limits");
    }

    @Test
    void aReplyFailureLeavesOtherRepliesInPlace() {
        open(OutputLimits.NONE);
        channel.writeInbound(gets(2));
        lane.waiting.poll().onFailure(DOWN);
        lane.waiting.poll().onReply(bulk("ok"));
        channel.runPendingTasks();
        assertEquals("-" + DOWN + "\r\n$2\r\nok\r\n", outbound());
    }

    @Test
    void abortClosesAtOnceAndIgnoresWhatFollows() {
        open(OutputLimits.NONE, sink -> new ForwardAll(sink, lane) {
            private int seen;

            @Override
            public void handle(RespCommand command) {
                if (++seen == 2) {
                    sink.abort();
                } else {
                    super.handle(command);
                }
            }
        });
        channel.writeInbound(gets(5));
        channel.runPendingTasks();
        assertFalse(channel.isActive());
        assertEquals(1, lane.waiting.size(), "only the command before the aborting one went upstream");
    }

    @Test
    void aProtocolErrorIsAnsweredAfterTheRepliesAheadThenTheConnectionCloses() {
        open(OutputLimits.NONE);
        ByteBuf in = gets(1).writeBytes("*1\r\n$x\r\n".getBytes(StandardCharsets.US_ASCII));
        channel.writeInbound(in);
        assertTrue(channel.isActive(), "still open: a reply is owed ahead of the error");
        lane.waiting.poll().onReply(bulk("a"));
        channel.runPendingTasks();
        assertEquals("$1\r\na\r\n-ERR Protocol error: invalid bulk length\r\n", outbound());
        assertFalse(channel.isActive());
    }

    @Test
    void aHeldCommandWaitsForEveryReplyAheadThenGoesFirst() {
        open(OutputLimits.NONE, sink -> new ForwardAll(sink, lane) {
            private boolean heldOnce;

            @Override
            public void handle(RespCommand command) {
                if (command.argString(1).equals("barrier") && !heldOnce && sink.hasPendingReplies()) {
                    heldOnce = true;
                    sink.holdUntilDrained(command);
                } else {
                    super.handle(command);
                }
            }
        });
        ByteBuf in = Unpooled.buffer();
        for (String key : new String[] {"a", "barrier", "c"}) {
            in.writeBytes(("*2\r\n$3\r\nGET\r\n$" + key.length() + "\r\n" + key + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        channel.writeInbound(in);
        assertEquals(1, lane.waiting.size(), "the barrier and what follows it wait");
        lane.waiting.poll().onReply(bulk("a"));
        channel.runPendingTasks();
        assertEquals(2, lane.waiting.size(), "then the barrier went, and the command behind it");
        lane.waiting.poll().onReply(bulk("b"));
        lane.waiting.poll().onReply(bulk("c"));
        channel.runPendingTasks();
        assertEquals("$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", outbound());
    }

    @Test
    void quiesceStopsReadingAndCompletesWhenNothingIsOwed() {
        open(OutputLimits.NONE);
        channel.writeInbound(gets(2));
        ClientSession session = channel.pipeline().get(ClientSession.class);
        Future<Void> quiesced = session.quiesce();
        channel.runPendingTasks();
        assertFalse(channel.config().isAutoRead());
        assertFalse(quiesced.isDone(), "two replies owed");
        lane.waiting.poll().onReply(bulk("a"));
        lane.waiting.poll().onReply(bulk("b"));
        channel.runPendingTasks();
        assertTrue(quiesced.isSuccess());
        assertFalse(channel.config().isAutoRead(), "and reading does not resume");
    }

    @Test
    void aThrowingHandlerClosesOnlyItsClient() {
        open(OutputLimits.NONE, sink -> new ForwardAll(sink, lane) {
            @Override
            public void handle(RespCommand command) {
                throw new IllegalStateException("a bug");
            }
        });
        channel.writeInbound(gets(1));
        channel.runPendingTasks();
        assertFalse(channel.isActive());
    }

    private static ByteBuf gets(int count) {
        ByteBuf in = Unpooled.buffer();
        byte[] get = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < count; i++) {
            in.writeBytes(get);
        }
        return in;
    }

    private static ByteBuf bulk(String value) {
        return Unpooled.copiedBuffer("$" + value.length() + "\r\n" + value + "\r\n", StandardCharsets.US_ASCII);
    }

    /** Everything written to the client so far, as text; releases what it reads. */
    private String outbound() {
        StringBuilder text = new StringBuilder();
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            text.append(out.toString(StandardCharsets.US_ASCII));
            out.release();
        }
        return text.toString();
    }

    private int countReplies(String reply) {
        String all = outbound();
        int count = 0;
        for (int at = all.indexOf(reply); at >= 0; at = all.indexOf(reply, at + reply.length())) {
            count++;
        }
        return count;
    }

    /** Where forwarded commands wait until the test answers them, or fail at once once told to. */
    private static final class FakeUpstream {

        final ArrayDeque<ReplyCallback> waiting = new ArrayDeque<>();
        String failWith;

        void send(ReplyCallback callback) {
            if (failWith != null) {
                callback.onFailure(failWith);
            } else {
                waiting.add(callback);
            }
        }

        void failWaiting() {
            for (ReplyCallback callback; (callback = waiting.poll()) != null; ) {
                callback.onFailure(failWith);
            }
        }
    }

    /** Forwards every command to the fake upstream, with a reply slot of its own. */
    private static class ForwardAll implements CommandHandler {

        final ReplySink sink;
        private final FakeUpstream upstream;

        ForwardAll(ReplySink sink, FakeUpstream upstream) {
            this.sink = sink;
            this.upstream = upstream;
        }

        @Override
        public void handle(RespCommand command) {
            upstream.send(sink.replyLater());
        }

        @Override
        public void writabilityChanged(boolean writable) {}

        @Override
        public void closed() {}
    }
}
