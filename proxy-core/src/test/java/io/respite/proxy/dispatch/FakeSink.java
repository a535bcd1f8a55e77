package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.session.ReplySink;
import io.respite.resp.RespCommand;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A client as a handler sees it, recording what it is told: replies in order (a later reply takes
 * its place when it is completed), relayed frames, held commands and how it was closed.
 */
final class FakeSink implements ReplySink {

    /** Every reply so far in order; a later reply is null until completed. */
    final List<String> replies = new ArrayList<>();

    final List<String> relayed = new ArrayList<>();
    final List<RespCommand> held = new ArrayList<>();
    boolean closedAfterReplies;
    boolean aborted;
    boolean authenticationRequired;
    private int pending;

    @Override
    public void reply(ByteBuf reply) {
        replies.add(text(reply));
    }

    @Override
    public void reply(byte[] wire) {
        replies.add(new String(wire, StandardCharsets.UTF_8));
    }

    @Override
    public void replyError(String message) {
        replies.add("-" + message + "\r\n");
    }

    @Override
    public ReplyCallback replyLater() {
        int index = replies.size();
        replies.add(null);
        pending++;
        return new ReplyCallback() {
            private boolean done;

            @Override
            public void onReply(ByteBuf frame) {
                if (done) {
                    throw new AssertionError("completed twice: " + text(frame));
                }
                done = true;
                pending--;
                replies.set(index, text(frame));
            }

            @Override
            public void onFailure(String error) {
                onReply(Unpooled.copiedBuffer("-" + error + "\r\n", StandardCharsets.UTF_8));
            }
        };
    }

    @Override
    public void push(ByteBuf push) {
        relayed.add(text(push));
    }

    @Override
    public void relay(ByteBuf frame) {
        relayed.add(text(frame));
    }

    @Override
    public boolean hasPendingReplies() {
        return pending > 0;
    }

    @Override
    public void holdUntilDrained(RespCommand command) {
        held.add(command.retain());
    }

    /** Commands held by {@link #holdUntilResumed}, with what resumes them. */
    final List<Runnable> resumes = new ArrayList<>();

    @Override
    public Runnable holdUntilResumed(RespCommand command) {
        held.add(command.retain());
        Runnable resume = () -> {};
        resumes.add(resume);
        return resume;
    }

    /** Whether the client is under a subscriber's output limits. */
    boolean subscriberLimits;

    @Override
    public void subscriberOutputLimits(boolean subscriber) {
        subscriberLimits = subscriber;
    }

    @Override
    public void closeAfterReplies() {
        closedAfterReplies = true;
    }

    @Override
    public void abort() {
        aborted = true;
    }

    @Override
    public void requireAuthentication(boolean required) {
        authenticationRequired = required;
    }

    @Override
    public long id() {
        return 7;
    }

    @Override
    public SocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 50000);
    }

    @Override
    public SocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 6380);
    }

    @Override
    public String describe() {
        return "client id=7 /127.0.0.1:50000";
    }

    /** The last reply, completed or not (null). */
    String last() {
        return replies.get(replies.size() - 1);
    }

    void releaseHeld() {
        held.forEach(RespCommand::release);
        held.clear();
    }

    /** Takes ownership of {@code buf}: its text, and it released. */
    static String text(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }
}
