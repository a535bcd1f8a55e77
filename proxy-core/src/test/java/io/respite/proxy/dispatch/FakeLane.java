package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.DedicatedConnection;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.proxy.upstream.UserLane;
import io.respite.resp.RespVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * An upstream that records what it is sent and answers when the test says so: the shared lane,
 * and dedicated connections (as many as {@link #dedicatedLeft} allows); a user's lane too.
 */
final class FakeLane implements UserLane {

    /** A command sent, with where its reply goes (null when sent without one). */
    record Sent(int database, RespVersion version, String command, ReplyCallback callback, boolean timed) {

        /** Fails it, as a lost connection would. */
        void onFailureSafe() {
            callback.onFailure("ERR upstream unavailable (down)");
        }

        /** Answers it with {@code reply}, as RESP text. */
        void answer(String reply) {
            callback.onReply(Unpooled.copiedBuffer(reply, StandardCharsets.UTF_8));
        }
    }

    final ArrayDeque<Sent> shared = new ArrayDeque<>();
    final List<Dedicated> dedicated = new ArrayList<>();
    int dedicatedLeft = 10;
    /** The tracking epoch reads sent now are in; -1 for untracked. */
    int trackingEpoch = -1;
    /** Its loop: tasks handed to it run when the test calls {@code runPendingTasks()}. */
    final EmbeddedChannel loopChannel = new EmbeddedChannel();

    @Override
    public EventLoop loop() {
        return loopChannel.eventLoop();
    }

    @Override
    public int trackingEpoch(RespVersion version) {
        return trackingEpoch;
    }

    /**
     * Answers the GET of a missed key at the head of the shared queue with {@code value}, and the
     * PTTL the fill then asks for, if it does, with {@code pttl} (as RESP text).
     */
    void answerRead(String value, String pttl) {
        Sent get = shared.poll();
        if (get == null || !get.command().startsWith("GET ")) {
            throw new AssertionError("expected a GET, found " + get);
        }
        get.answer(value);
        Sent ttl = shared.peek();
        if (ttl != null && ttl.command().equals("PTTL " + get.command().substring(4))) {
            shared.poll().answer(pttl);
        }
    }

    /** {@link #answerRead} for a key without expiry. */
    void answerRead(String value) {
        answerRead(value, ":-1\r\n");
    }

    @Override
    public void send(int database, RespVersion version, ByteBuf frame, ReplyCallback callback) {
        shared.add(new Sent(database, version, words(frame), callback, true));
    }

    /** Commands sent out of band, each on a connection of its own. */
    final ArrayDeque<Sent> outOfBand = new ArrayDeque<>();

    @Override
    public void sendOutOfBand(RespVersion version, ByteBuf frame, ReplyCallback callback) {
        outOfBand.add(new Sent(-1, version, words(frame), callback, true));
    }

    @Override
    public DedicatedConnection dedicated(RespVersion version, Consumer<ByteBuf> frames, Consumer<String> lost) {
        if (dedicatedLeft-- <= 0) {
            return null;
        }
        Dedicated connection = new Dedicated(version, frames, lost);
        dedicated.add(connection);
        return connection;
    }

    /** What waits for a dedicated connection, in order: call with true (one is free) or false (timed out). */
    final ArrayDeque<Consumer<Boolean>> waiting = new ArrayDeque<>();

    @Override
    public void awaitDedicated(Consumer<Boolean> wake) {
        waiting.add(wake);
    }

    /** Subscriber connections opened, each recording what it is sent. */
    final List<Dedicated> subscribers = new ArrayList<>();

    @Override
    public DedicatedConnection subscriber(Consumer<ByteBuf> frames, Consumer<String> lost) {
        Dedicated connection = new Dedicated(RespVersion.RESP3, frames, lost);
        subscribers.add(connection);
        return connection;
    }

    /**
     * Shard channels held by another lane (another node of a cluster), by name; the others are held
     * by this one. Channels held by different lanes are in different slots.
     */
    final Map<String, FakeLane> shards = new HashMap<>();
    /** The errors of shard subscriptions asked about with {@link #shardRedirected}. */
    final List<String> redirections = new ArrayList<>();

    @Override
    public @Nullable UpstreamLane shardLane(List<byte[]> channels) {
        Set<FakeLane> holders = new HashSet<>();
        for (byte[] channel : channels) {
            holders.add(shards.getOrDefault(new String(channel, StandardCharsets.ISO_8859_1), this));
        }
        return holders.size() == 1 ? holders.iterator().next() : null;
    }

    /** How many times a subscriber connection holding shard channels was reported lost. */
    int shardLosses;

    @Override
    public void shardLost() {
        shardLosses++;
    }

    /** A MOVED may be followed: the test has put the new owner in {@link #shards}, as a cluster learns it. */
    @Override
    public boolean shardRedirected(String error) {
        redirections.add(error);
        return error.startsWith("MOVED ");
    }

    /** Closed, as a user's lane ({@code --auth passthrough}) is when it is closed to make room. */
    boolean closed;

    @Override
    public void close() {
        closed = true;
    }

    /** The only dedicated connection opened so far. */
    Dedicated onlyDedicated() {
        if (dedicated.size() != 1) {
            throw new AssertionError(dedicated.size() + " dedicated connections");
        }
        return dedicated.get(0);
    }

    /** A dedicated connection that records what it is sent. */
    static final class Dedicated implements DedicatedConnection {

        final RespVersion version;
        final Consumer<ByteBuf> frames;
        final Consumer<String> lost;
        final ArrayDeque<Sent> sent = new ArrayDeque<>();
        boolean closed;
        boolean readingPaused;
        /** Given back: null while leased, else whether it was given back clean. */
        Boolean releasedClean;

        Dedicated(RespVersion version, Consumer<ByteBuf> frames, Consumer<String> lost) {
            this.version = version;
            this.frames = frames;
            this.lost = lost;
        }

        @Override
        public void send(int database, ByteBuf frame, ReplyCallback callback, boolean timed) {
            sent.add(new Sent(database, version, words(frame), callback, timed));
        }

        @Override
        public void sendWithoutReply(int database, ByteBuf frame, boolean timed) {
            sent.add(new Sent(database, version, words(frame), null, timed));
        }

        /** The database a SELECT queued in MULTI left the connection in, or -1. */
        int selected = -1;

        @Override
        public void selected(int database) {
            selected = database;
        }

        @Override
        public void pauseReading(boolean paused) {
            readingPaused = paused;
        }

        @Override
        public void release(boolean clean) {
            if (closed || releasedClean != null) {
                throw new AssertionError("ended twice");
            }
            if (!sent.isEmpty()) {
                throw new AssertionError("given back with commands awaiting replies: " + sent);
            }
            releasedClean = clean;
        }

        @Override
        public void close() {
            if (releasedClean != null) {
                throw new AssertionError("closed after it was given back");
            }
            closed = true;
            // As the real connection does: a close asked for fails what waits, and says nothing else.
            for (Sent s; (s = sent.poll()) != null; ) {
                if (s.callback() != null) {
                    s.callback().onFailure("ERR upstream unavailable (respite is shutting down)");
                }
            }
        }
    }

    /** A RESP request as its arguments joined by spaces; takes ownership of {@code frame}. */
    static String words(ByteBuf frame) {
        String text = FakeSink.text(frame);
        StringBuilder words = new StringBuilder();
        String[] lines = text.split("\r\n");
        for (int i = 2; i < lines.length; i += 2) {
            words.append(words.length() == 0 ? "" : " ").append(lines[i]);
        }
        return words.toString();
    }
}
