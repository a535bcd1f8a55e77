package io.respite.proxy.eventloop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoopFlusherTest {

    @Test
    void eachTargetFlushesOncePerIterationHoweverOftenItAsks() {
        EmbeddedChannel channel = new EmbeddedChannel();
        LoopFlusher flusher = new LoopFlusher(channel.eventLoop());
        List<String> flushed = new ArrayList<>();
        LoopFlusher.Target a = flusher.target(() -> flushed.add("a"));
        LoopFlusher.Target b = flusher.target(() -> flushed.add("b"));
        a.flushLater();
        b.flushLater();
        a.flushLater();
        assertEquals(List.of(), flushed, "nothing before the loop runs the flush task");
        channel.runPendingTasks();
        assertEquals(List.of("a", "b"), flushed);
        a.flushLater();
        channel.runPendingTasks();
        assertEquals(List.of("a", "b", "a"), flushed, "a new iteration, a new flush");
        channel.finishAndReleaseAll();
    }

    @Test
    void aFlushThatAsksForAnotherJoinsTheSamePass() {
        EmbeddedChannel channel = new EmbeddedChannel();
        LoopFlusher flusher = new LoopFlusher(channel.eventLoop());
        List<String> flushed = new ArrayList<>();
        LoopFlusher.Target[] second = new LoopFlusher.Target[1];
        LoopFlusher.Target first = flusher.target(() -> {
            flushed.add("first");
            second[0].flushLater();
        });
        second[0] = flusher.target(() -> flushed.add("second"));
        first.flushLater();
        channel.runPendingTasks();
        assertEquals(List.of("first", "second"), flushed);
        channel.finishAndReleaseAll();
    }
}
