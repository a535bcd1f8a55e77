package io.respite.proxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.respite.proxy.reply.ReplyCallback;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The merge of replies from several nodes, policy by policy, through the parts' callbacks: the
 * merged reply reaches the client once, after the last part, and every part's frame is released.
 */
class FanoutTest {

    /** Records the one answer a client gets. */
    private static final class Answer implements ReplyCallback {
        @Nullable
        String reply;

        @Nullable
        String failure;

        int calls;

        @Override
        public void onReply(ByteBuf frame) {
            calls++;
            reply = frame.toString(StandardCharsets.UTF_8);
            frame.release();
        }

        @Override
        public void onFailure(String error) {
            calls++;
            failure = error;
        }
    }

    private static ByteBuf frame(String text) {
        return Unpooled.directBuffer().writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Answer merge(@Nullable String policy, String... replies) {
        Answer answer = new Answer();
        Fanout fanout = new Fanout(answer, policy, PooledByteBufAllocator.DEFAULT, replies.length, null, null);
        ByteBuf[] frames = new ByteBuf[replies.length];
        for (int i = 0; i < replies.length; i++) {
            frames[i] = frame(replies[i]);
            assertEquals(0, answer.calls, "nothing before the last part");
            fanout.part(i).onReply(frames[i]);
        }
        assertEquals(1, answer.calls);
        for (ByteBuf f : frames) {
            assertEquals(0, f.refCnt(), "every part released");
        }
        return answer;
    }

    @Test
    void countsAreSummed() {
        assertEquals(":6\r\n", merge("agg_sum", ":1\r\n", ":2\r\n", ":3\r\n").reply);
    }

    @Test
    void minAndMaxPickTheirInteger() {
        assertEquals(":1\r\n", merge("agg_min", ":4\r\n", ":1\r\n", ":3\r\n").reply);
        assertEquals(":4\r\n", merge("agg_max", ":4\r\n", ":1\r\n", ":3\r\n").reply);
    }

    @Test
    void allSucceededIsTheFirstReplyUnlessOneFailed() {
        assertEquals("+OK\r\n", merge("all_succeeded", "+OK\r\n", "+OK\r\n").reply);
        assertEquals("-ERR no\r\n", merge("all_succeeded", "+OK\r\n", "-ERR no\r\n").reply);
    }

    @Test
    void oneSucceededIsAnyReplyThatIsNotAnError() {
        assertEquals("+OK\r\n", merge("one_succeeded", "-ERR no\r\n", "+OK\r\n").reply);
        assertEquals("-ERR no\r\n", merge("one_succeeded", "-ERR no\r\n", "-ERR other\r\n").reply);
    }

    @Test
    void logicalAndIsTakenElementByElement() {
        assertEquals(
                "*3\r\n:1\r\n:0\r\n:0\r\n",
                merge("agg_logical_and", "*3\r\n:1\r\n:1\r\n:0\r\n", "*3\r\n:1\r\n:0\r\n:1\r\n").reply);
        assertEquals("*2\r\n:1\r\n:1\r\n", merge("agg_logical_or", "*2\r\n:1\r\n:0\r\n", "*2\r\n:0\r\n:1\r\n").reply);
    }

    @Test
    void arraysAreConcatenatedByDefault() {
        assertEquals(
                "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
                merge(null, "*1\r\n$1\r\na\r\n", "*0\r\n", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n").reply);
        assertEquals("*0\r\n", merge(null, "*0\r\n", "*0\r\n").reply);
    }

    @Test
    void aScalarByDefaultIsOneThatIsNotNull() {
        assertEquals("$1\r\nk\r\n", merge(null, "$-1\r\n", "$1\r\nk\r\n", "$-1\r\n").reply);
        assertEquals("_\r\n", merge(null, "_\r\n", "_\r\n").reply);
    }

    @Test
    void aCutMgetIsReassembledInTheClientsKeyOrder() {
        // Keys a, b, c, d: a and c went to part 0, b and d to part 1.
        Answer answer = new Answer();
        Fanout fanout = new Fanout(
                answer, null, PooledByteBufAllocator.DEFAULT, 2, new int[] {0, 1, 0, 1}, new int[] {0, 0, 1, 1});
        fanout.part(1).onReply(frame("*2\r\n$1\r\nB\r\n$-1\r\n"));
        fanout.part(0).onReply(frame("*2\r\n$1\r\nA\r\n$1\r\nC\r\n"));
        assertEquals("*4\r\n$1\r\nA\r\n$1\r\nB\r\n$1\r\nC\r\n$-1\r\n", answer.reply);
    }

    @Test
    void aFailedPartFailsTheWholeOnceEveryPartAnswered() {
        Answer answer = new Answer();
        Fanout fanout = new Fanout(answer, "agg_sum", PooledByteBufAllocator.DEFAULT, 2, null, null);
        fanout.part(0).onFailure("ERR upstream unavailable");
        assertEquals(0, answer.calls);
        ByteBuf late = frame(":1\r\n");
        fanout.part(1).onReply(late);
        assertEquals("ERR upstream unavailable", answer.failure);
        assertNull(answer.reply);
        assertEquals(0, late.refCnt());
    }
}
