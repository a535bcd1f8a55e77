package io.respite.proxy.eventloop;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;

/**
 * Flushes channels once per event-loop iteration instead of once per message. A writer calls
 * {@link Target#flushLater()} after {@code write}; the first such call in an iteration queues one
 * task, which Netty runs after the iteration's I/O, and which flushes every target that asked,
 * once each. So fifty clients whose misses arrive in one wake-up share one write to the upstream,
 * and a client whose replies arrive together gets them in one write.
 *
 * <p>One flusher per event loop. Not thread-safe: only the loop's own thread may use it and its
 * targets.
 */
public final class LoopFlusher implements Runnable {

    private final EventLoop loop;
    private final List<Target> queued = new ArrayList<>();
    private boolean scheduled;

    public LoopFlusher(EventLoop loop) {
        this.loop = loop;
    }

    /** A channel's handle on this flusher; make one per channel, on the loop. */
    public Target target(Channel channel) {
        return new Target(channel::flush);
    }

    /** A handle whose flush runs {@code flush}, for writers that batch bytes of their own first. */
    public Target target(Runnable flush) {
        return new Target(flush);
    }

    @Override
    public void run() {
        scheduled = false;
        // Flushing runs handlers that may queue more flushes; they join this same pass.
        for (int i = 0; i < queued.size(); i++) {
            Target target = queued.get(i);
            target.queued = false;
            target.flush.run();
        }
        queued.clear();
    }

    /** One channel's flush requests, deduplicated per iteration. */
    public final class Target {

        private final Runnable flush;
        private boolean queued;

        private Target(Runnable flush) {
            this.flush = flush;
        }

        /** Flushes the channel after this iteration's I/O; asking again before then is free. */
        public void flushLater() {
            if (queued) {
                return;
            }
            queued = true;
            LoopFlusher.this.queued.add(this);
            if (!scheduled) {
                scheduled = true;
                loop.execute(LoopFlusher.this);
            }
        }
    }
}
