package io.respite.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.respite.proxy.config.HttpOptions;
import io.respite.proxy.eventloop.LoopFlusher;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.session.CommandHandler;
import io.respite.proxy.session.ReplySink;
import io.respite.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpConnection}'s states and transitions through an {@link EmbeddedChannel}, with a fake
 * command handler in place of the router: it keeps values in a map, answers at once, or keeps the
 * answer of a key starting with {@code slow} for the test to give.
 */
class HttpConnectionTest {

    private static final Pattern STATUS = Pattern.compile("HTTP/1.1 (\\d{3})");

    private final Map<String, String> values = new HashMap<>();
    private final List<String> commands = new ArrayList<>();
    private final ArrayDeque<ReplyCallback> slow = new ArrayDeque<>();
    private long admitNanos;
    private boolean handlerClosed;
    private HttpApi api;
    private EmbeddedChannel channel = connection(HttpOptions.OFF.maxBodyBytes(), Duration.ofSeconds(10));

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    @Test
    void aRequestIsAnsweredAndTheConnectionStaysOpen() {
        values.put("k", "value");
        send("GET /keys/k HTTP/1.1\r\nHost: x\r\n\r\n");
        String out = output();
        assertEquals("200 ", statuses(out));
        assertTrue(out.endsWith("\r\n\r\nvalue"), out);
        assertEquals(List.of("GET k", "GET respite:content-type:k"), commands);
        assertTrue(channel.isOpen());
    }

    @Test
    void pipelinedAnswersAreWrittenInRequestOrder() {
        values.put("fast", "f");
        send("GET /slow1 HTTP/1.1\r\n\r\nGET /fast HTTP/1.1\r\n\r\nGET /slow2 HTTP/1.1\r\n\r\n");
        assertEquals("", output(), "nothing before the first answer");
        ReplyCallback first = slow.poll();
        ReplyCallback third = slow.poll();
        third.onReply(bulk("3"));
        assertEquals("", output(), "the third waits for the first");
        first.onReply(bulk("1"));
        String out = output();
        assertEquals("200 200 200 ", statuses(out));
        assertTrue(
                out.indexOf("\r\n\r\n1") < out.indexOf("\r\n\r\nf")
                        && out.indexOf("\r\n\r\nf") < out.indexOf("\r\n\r\n3"),
                out);
    }

    @Test
    void aPutsBodyBecomesTheSetsValueWhetherSizedOrChunked() {
        send("PUT /keys/a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel");
        assertEquals(List.of(), commands, "nothing sent before the body is whole");
        send("lo");
        assertEquals("201 ", statuses(output()));
        assertEquals("hello", values.get("a"));
        send("PUT /keys/b?ttl=2s HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
                + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
        assertEquals("201 ", statuses(output()));
        assertEquals("abcde", values.get("b"));
        assertTrue(commands.contains("SET b abcde PX 2000"), commands.toString());
        assertTrue(commands.contains("SET respite:content-type:b text/plain PX 2000"), commands.toString());
    }

    @Test
    void aBodyNoRouteWantsIsSkippedAndTheNextRequestServed() {
        values.put("k", "v");
        send("GET /no/such/route HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyzGET /keys/k HTTP/1.1\r\n\r\n");
        String out = output();
        assertEquals("404 200 ", statuses(out));
        assertTrue(channel.isOpen());
    }

    @Test
    void aDeclaredBodyOverTheLimitIsRefusedUnreadAndCloses() {
        channel.finishAndReleaseAll();
        channel = connection(4, Duration.ofSeconds(10));
        send("PUT /keys/a HTTP/1.1\r\nContent-Length: 5\r\n\r\n");
        String out = output();
        assertEquals("413 ", statuses(out));
        assertTrue(out.contains("connection: close"), out);
        assertFalse(channel.isOpen());
        assertEquals(List.of(), commands);
    }

    @Test
    void aStreamedBodyOverTheLimitIsRefusedAndCloses() {
        channel.finishAndReleaseAll();
        channel = connection(4, Duration.ofSeconds(10));
        send("PUT /keys/a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n");
        assertEquals("413 ", statuses(output()));
        assertFalse(channel.isOpen());
        assertEquals(List.of(), commands);
    }

    @Test
    void aBrokenChunkIsAnswered400AndNothingIsStored() {
        send("PUT /keys/a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\n");
        String out = output();
        assertEquals("400 ", statuses(out), out);
        assertFalse(channel.isOpen());
        assertEquals(List.of(), commands, "the truncated value never reaches Redis");
    }

    @Test
    void aHundredContinueWaitsForTheAnswersAheadOfIt() {
        send("GET /slow HTTP/1.1\r\n\r\nPUT /keys/c HTTP/1.1\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n");
        assertEquals("", output(), "not before the GET's answer");
        slow.poll().onReply(bulk("v"));
        String out = output();
        assertTrue(out.startsWith("HTTP/1.1 200 OK"), out);
        assertTrue(out.endsWith("HTTP/1.1 100 Continue\r\n\r\n"), out);
        send("x");
        assertEquals("201 ", statuses(output()));
        assertEquals("x", values.get("c"));
    }

    @Test
    void answersPilingUpUnsentBeyondTheOutputLimitCloseTheConnection() {
        values.put("small", "s");
        values.put("big", "x".repeat(5000));
        send("GET /keys/small HTTP/1.1\r\n\r\n");
        assertEquals("200 ", statuses(output()));
        send("GET /keys/big HTTP/1.1\r\n\r\n");
        assertFalse(channel.isOpen(), "5,000 bytes waiting unsent, over the 4,096 the connection was given");
    }

    @Test
    void aMalformedRequestIsAnswered400AndCloses() {
        send("GARBAGE\r\n\r\n");
        assertEquals("400 ", statuses(output()));
        assertFalse(channel.isOpen());
    }

    @Test
    void connectionCloseClosesAfterTheAnswerOnly() {
        send("GET /slow HTTP/1.1\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\n\r\n");
        assertTrue(channel.isOpen(), "open while the answer is owed");
        slow.poll().onReply(bulk("late"));
        String out = output();
        assertEquals("200 ", statuses(out), "a request after Connection: close is not served");
        assertFalse(channel.isOpen());
        assertTrue(handlerClosed, "the router's client is told");
    }

    @Test
    void aQuiescedConnectionAnswersWhatItTookThenCloses() {
        send("GET /slow HTTP/1.1\r\n\r\n");
        HttpApi.quiesce(channel);
        channel.runPendingTasks();
        send("GET /keys/later HTTP/1.1\r\n\r\n");
        assertTrue(channel.isOpen(), "an answer is owed");
        slow.poll().onReply(bulk("v"));
        String out = output();
        assertEquals("200 ", statuses(out), "the request read after the shutdown began is not served");
        assertTrue(out.contains("connection: close"), out);
        assertFalse(channel.isOpen());
        assertEquals(List.of("GET slow"), commands);
    }

    @Test
    void aQuiescedConnectionFinishesTheBodyItIsReading() {
        send("PUT /keys/b HTTP/1.1\r\nContent-Length: 4\r\n\r\nab");
        HttpApi.quiesce(channel);
        channel.runPendingTasks();
        assertTrue(channel.isOpen());
        send("cd");
        assertEquals("201 ", statuses(output()));
        assertEquals("abcd", values.get("b"));
        assertFalse(channel.isOpen());
    }

    @Test
    void anIdleConnectionIsClosedQuietlyAtTheHeaderTimeout() {
        channel.advanceTimeBy(9, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen());
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals("", output());
        assertFalse(channel.isOpen());
    }

    @Test
    void slowHeadersGet408() {
        send("GET /keys/k HTTP/1.1\r\nHost:");
        channel.advanceTimeBy(11, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals("408 ", statuses(output()));
        assertFalse(channel.isOpen());
        Map<String, Long> counted = new HashMap<>();
        api.requestCounts().forEach((route, status, count) -> counted.put(route + " " + status, count));
        assertEquals(Map.of("none 408", 1L), counted, "counted although no request was decoded");
    }

    @Test
    void aBodyThatStallsGets408AndNothingIsStored() {
        send("PUT /keys/a HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
        channel.advanceTimeBy(9, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        send("def");
        channel.advanceTimeBy(9, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen(), "each part restarts the timer");
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals("408 ", statuses(output()));
        assertFalse(channel.isOpen());
        assertEquals(List.of(), commands);
    }

    @Test
    void theHeaderTimerWaitsWhileAnAnswerIsOwed() {
        send("GET /slow HTTP/1.1\r\n\r\n");
        channel.advanceTimeBy(30, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen(), "a slow upstream is not the client's fault");
        slow.poll().onReply(bulk("v"));
        assertEquals("200 ", statuses(output()));
        channel.advanceTimeBy(11, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen(), "idle again after the answer");
    }

    @Test
    void readingStopsWhileTooManyAnswersAreOwed() {
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < HttpConnection.MAX_PENDING; i++) {
            requests.append("GET /slow").append(i).append(" HTTP/1.1\r\n\r\n");
        }
        send(requests.toString());
        assertFalse(channel.config().isAutoRead());
        while (!slow.isEmpty()) {
            slow.poll().onReply(bulk("v"));
        }
        assertTrue(channel.config().isAutoRead());
        assertEquals(HttpConnection.MAX_PENDING, statuses(output()).length() / 4);
    }

    @Test
    void anAnswerAfterTheClientLeftIsReleased() {
        send("GET /slow HTTP/1.1\r\n\r\n");
        channel.close();
        slow.poll().onReply(bulk("orphan"));
        assertTrue(handlerClosed);
    }

    @Test
    void aRateLimitedRequestGets429WithRetryAfter() {
        admitNanos = TimeUnit.MILLISECONDS.toNanos(1500);
        send("GET /keys/k HTTP/1.1\r\n\r\nGET /lookup?key=k HTTP/1.1\r\n\r\n");
        String out = output();
        assertEquals("429 503 ", statuses(out));
        assertTrue(out.contains("retry-after: 2"), out);
        assertTrue(out.endsWith("{\"key\": \"k\", \"value\": null, \"status\": 503}"), out);
        assertEquals(List.of(), commands, "nothing reaches Redis");
    }

    private EmbeddedChannel connection(long maxBody, Duration headerTimeout) {
        EmbeddedChannel embedded = new EmbeddedChannel();
        embedded.freezeTime();
        api = new HttpApi(new HttpOptions(0, null, maxBody, headerTimeout), null, 0, 4096);
        api.initChannel(embedded, this::handler, () -> admitNanos, new LoopFlusher(embedded.eventLoop()));
        embedded.pipeline().fireChannelActive();
        return embedded;
    }

    /** The fake router side: keeps values, answers GET, SET, EXISTS, DEL and SELECT. */
    private CommandHandler handler(ReplySink sink) {
        return new CommandHandler() {
            @Override
            public void handle(RespCommand command) {
                List<String> args = new ArrayList<>();
                for (int i = 0; i < command.argCount(); i++) {
                    args.add(command.argString(i));
                }
                commands.add(String.join(" ", args));
                String key = args.size() > 1 ? args.get(1) : "";
                switch (args.get(0)) {
                    case "GET" -> {
                        if (key.startsWith("slow")) {
                            slow.add(sink.replyLater());
                        } else {
                            String value = values.get(key);
                            sink.reply(
                                    value == null
                                            ? Unpooled.copiedBuffer("$-1\r\n", StandardCharsets.US_ASCII)
                                            : bulk(value));
                        }
                    }
                    case "SET" -> {
                        values.put(key, args.get(2));
                        sink.reply(Unpooled.copiedBuffer("+OK\r\n", StandardCharsets.US_ASCII));
                    }
                    case "EXISTS", "DEL" -> {
                        boolean existed =
                                args.get(0).equals("DEL") ? values.remove(key) != null : values.containsKey(key);
                        sink.reply(Unpooled.copiedBuffer(existed ? ":1\r\n" : ":0\r\n", StandardCharsets.US_ASCII));
                    }
                    default -> sink.replyError("ERR unexpected " + args.get(0));
                }
            }

            @Override
            public void writabilityChanged(boolean writable) {}

            @Override
            public void closed() {
                handlerClosed = true;
            }
        };
    }

    private void send(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
    }

    /** Everything written to the client since last asked, as text. */
    private String output() {
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; ) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }

    private static String statuses(String out) {
        Matcher m = STATUS.matcher(out);
        StringBuilder seen = new StringBuilder();
        while (m.find()) {
            seen.append(m.group(1)).append(' ');
        }
        return seen.toString();
    }

    private static ByteBuf bulk(String value) {
        return Unpooled.copiedBuffer("$" + value.length() + "\r\n" + value + "\r\n", StandardCharsets.ISO_8859_1);
    }
}
