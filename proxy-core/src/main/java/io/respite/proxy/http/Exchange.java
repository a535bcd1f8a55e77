package io.respite.proxy.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import org.jspecify.annotations.Nullable;

/**
 * One request's place in its connection's response order: answered exactly once, at once or
 * when its commands' replies arrive, and written when every exchange ahead of it has been. An
 * answer that comes after the connection closed is released.
 *
 * <p>On the connection's event loop; not thread-safe.
 */
final class Exchange {

    private final HttpConnection connection;
    private final HttpMethod method;
    private final boolean keepAlive;
    private final RequestCounts counts;
    /** The route the request took, for the metrics; {@link RequestCounts#NONE} until one is known. */
    private int route = RequestCounts.NONE;

    private @Nullable FullHttpResponse response;
    private boolean answered;
    /** The connection closes after this answer: the request's body will not be read (413). */
    private boolean closesConnection;
    /** The client waits for {@code 100 Continue} before sending this request's body. */
    private boolean continueOwed;

    Exchange(HttpConnection connection, HttpMethod method, boolean keepAlive, RequestCounts counts) {
        this.connection = connection;
        this.method = method;
        this.keepAlive = keepAlive;
        this.counts = counts;
    }

    /** The route the request took, a {@link RequestCounts} index. */
    void route(int route) {
        this.route = route;
    }

    /** Answers the request; a second answer is released unsent. Takes ownership of {@code answer}. */
    void respond(FullHttpResponse answer) {
        if (answered) {
            answer.release();
            return;
        }
        answered = true;
        response = answer;
        counts.count(route, answer.status().code());
        connection.answered(this);
    }

    /** The connection is to close after this answer, its request's body unread. */
    void closeConnection() {
        closesConnection = true;
    }

    /** The client expects {@code 100 Continue}: it is written once every answer ahead is. */
    void continueOwed() {
        continueOwed = true;
    }

    /** Whether {@code 100 Continue} is owed, which it then no longer is. */
    boolean takeContinueOwed() {
        boolean owed = continueOwed;
        continueOwed = false;
        return owed;
    }

    boolean closesConnection() {
        return closesConnection;
    }

    HttpMethod method() {
        return method;
    }

    /** Whether the client keeps the connection open after this request. */
    boolean keepAlive() {
        return keepAlive;
    }

    boolean answered() {
        return answered;
    }

    /** The answer, handed to the caller, who owns it then; null if there is none (yet, or any more). */
    @Nullable
    FullHttpResponse take() {
        FullHttpResponse taken = response;
        response = null;
        return taken;
    }
}
