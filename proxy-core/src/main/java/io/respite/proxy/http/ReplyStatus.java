package io.respite.proxy.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Locale;

/** What an HTTP client is told when a command of its request failed, by Redis's error or respite's. */
final class ReplyStatus {

    private ReplyStatus() {}

    /**
     * The status for a Redis error reply: 409 for a key of another type, 503 for a Redis that
     * cannot serve now (out of memory, read-only replica, loading, busy script), 502
     * for the rest, which the client cannot fix by changing its request.
     */
    static HttpResponseStatus ofError(String error) {
        int space = error.indexOf(' ');
        String code = (space < 0 ? error : error.substring(0, space)).toUpperCase(Locale.ROOT);
        return switch (code) {
            case "WRONGTYPE" -> HttpResponseStatus.CONFLICT;
            case "OOM", "READONLY", "LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN" ->
                HttpResponseStatus.SERVICE_UNAVAILABLE;
            default ->
                error.startsWith("ERR respite busy")
                        ? HttpResponseStatus.SERVICE_UNAVAILABLE
                        : HttpResponseStatus.BAD_GATEWAY;
        };
    }
}
