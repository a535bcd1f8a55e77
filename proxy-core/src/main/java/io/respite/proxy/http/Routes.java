package io.respite.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Which route a request takes and what it asks for: {@code /keys/{key}} (GET, HEAD, PUT or POST,
 * DELETE), seed 002's {@code /lookup?key=} and seed 003's {@code /{key}} for any single segment
 * that is not one of respite's own names. Checks, in order: the request is well-formed, the
 * client may (authentication, then its rate), the route exists, the method fits it, the
 * parameters make sense; then starts the request's commands ({@link KeyCommands}), or, for a PUT,
 * returns where its body goes.
 *
 * <p>Shared by every connection; stateless.
 */
final class Routes {

    /** Single segments that are respite's own routes, now or soon, never keys for {@code /{key}}. */
    private static final Set<String> RESERVED = Set.of("keys", "lookup", "metrics", "health", "ready", "stats");

    private static final String KEYS = "/keys/";
    private static final AsciiString KEY_METHODS = AsciiString.cached("GET, HEAD, PUT, POST, DELETE");
    private static final AsciiString READ_METHODS = AsciiString.cached("GET, HEAD");
    private static final Pattern TTL = Pattern.compile("([0-9]+)(ms|s|m|h)?");
    private static final Pattern DATABASE = Pattern.compile("[0-9]{1,9}");

    private final long maxBodyBytes;
    private final byte @Nullable [] password;
    private final int initialDatabase;

    /**
     * @param password what {@code --requirepass} asks for, or null when the API is open
     * @param initialDatabase the database requests use unless they give {@code ?db=}
     */
    Routes(long maxBodyBytes, @Nullable String password, int initialDatabase) {
        this.maxBodyBytes = maxBodyBytes;
        this.password = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
        this.initialDatabase = initialDatabase;
    }

    /** Where a PUT's body goes until its last part has arrived. */
    interface Body {
        /**
         * Appends a part; false once the body is over the limit (the request then has its 413).
         * Takes ownership of {@code part}.
         */
        boolean append(ByteBuf part);

        /** The body is complete: sends the request's commands. */
        void complete();

        /** The connection closed first: releases what arrived. */
        void discard();
    }

    /**
     * Starts serving {@code request}; returns where its body goes for a PUT, or null when the
     * body (if any) is not wanted. {@code admission} answers 0 when the client's rate allows one
     * more request, else how long until it would; it is asked once the request is authenticated.
     */
    @Nullable
    Body begin(
            HttpRequest request,
            Exchange exchange,
            CommandBridge bridge,
            ByteBufAllocator alloc,
            LongSupplier admission) {
        RequestTarget target;
        try {
            target = RequestTarget.parse(request.uri());
        } catch (RequestTarget.BadRequest e) {
            exchange.respond(Responses.text(HttpResponseStatus.BAD_REQUEST, e.reason()));
            return null;
        }
        boolean lookup = target.path().equals("/lookup");
        exchange.route(routeOf(target.path()));
        if (!authorized(request.headers())) {
            FullHttpResponse refusal = Responses.text(HttpResponseStatus.UNAUTHORIZED, "authentication required");
            refusal.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"respite\"");
            exchange.respond(refusal);
            return null;
        }
        if (password != null) {
            bridge.authenticate(password);
        }
        // Only a request that may be served takes a token: refusals of strangers cost no one's rate.
        long admitNanos = admission.getAsLong();
        if (admitNanos > 0) {
            exchange.respond(rateLimited(lookup, target, admitNanos));
            return null;
        }
        try {
            if (lookup) {
                lookup(request, target, exchange, bridge);
                return null;
            }
            String path = target.path();
            if (path.startsWith(KEYS) && path.length() > KEYS.length()) {
                byte[] key = RequestTarget.decode(path, KEYS.length(), path.length(), false);
                return keys(request, target, key, exchange, bridge, alloc);
            }
            int slash = path.indexOf('/', 1);
            String segment = path.substring(1);
            if (slash < 0 && !segment.isEmpty() && !RESERVED.contains(segment)) {
                byte[] key = RequestTarget.decode(path, 1, path.length(), false);
                rawValue(request, target, key, exchange, bridge);
                return null;
            }
            exchange.respond(Responses.text(
                    HttpResponseStatus.NOT_FOUND,
                    path.equals("/keys") || path.equals(KEYS)
                            ? "no key: use /keys/{key}"
                            : "no such route: respite serves /keys/{key}, /lookup?key={key} and /{key}"));
        } catch (RequestTarget.BadRequest e) {
            exchange.respond(Responses.text(HttpResponseStatus.BAD_REQUEST, e.reason()));
        }
        return null;
    }

    /** The route {@code path} takes, as {@link RequestCounts} numbers them. */
    private static int routeOf(String path) {
        if (path.equals("/lookup")) {
            return RequestCounts.LOOKUP;
        }
        if (path.startsWith(KEYS) && path.length() > KEYS.length()) {
            return RequestCounts.KEYS;
        }
        String segment = path.substring(1);
        return segment.isEmpty() || segment.indexOf('/') >= 0 || RESERVED.contains(segment)
                ? RequestCounts.NONE
                : RequestCounts.KEY;
    }

    private @Nullable Body keys(
            HttpRequest request,
            RequestTarget target,
            byte[] key,
            Exchange exchange,
            CommandBridge bridge,
            ByteBufAllocator alloc) {
        HttpMethod method = request.method();
        boolean write = method.equals(HttpMethod.PUT) || method.equals(HttpMethod.POST);
        parameters(target, write ? Set.of("db", "ttl", "nx") : Set.of("db"));
        int db = database(target);
        if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
            String ifNoneMatch = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
            KeyCommands.get(
                    bridge,
                    exchange,
                    db,
                    key,
                    true,
                    (frame, offset, length, type) -> value(
                            frame, offset, length, type == null ? Responses.OCTET_STREAM : type, ifNoneMatch, method),
                    () -> Responses.text(HttpResponseStatus.NOT_FOUND, "no such key"),
                    Routes::failed);
            return null;
        }
        if (method.equals(HttpMethod.DELETE)) {
            KeyCommands.delete(bridge, exchange, db, key, Routes::failed);
            return null;
        }
        if (!write) {
            exchange.respond(notAllowed(KEY_METHODS));
            return null;
        }
        long ttlMillis = ttl(target);
        boolean nx = target.parameter("nx") != null;
        String type = KeyCommands.putType(request.headers().get(HttpHeaderNames.CONTENT_TYPE));
        long declared = HttpUtil.getContentLength(request, -1L);
        if (declared > maxBodyBytes) {
            exchange.closeConnection();
            exchange.respond(tooLarge());
            return null;
        }
        return new BodyBlocks(alloc, declared, maxBodyBytes) {
            @Override
            void complete(CompositeByteBuf body) {
                KeyCommands.put(bridge, exchange, db, key, body, ttlMillis, nx, type, Routes::failed);
            }

            @Override
            void overLimit() {
                exchange.closeConnection();
                exchange.respond(tooLarge());
            }
        };
    }

    /** Seed 002's lookup: the value as JSON, with the status in the body too. */
    private void lookup(HttpRequest request, RequestTarget target, Exchange exchange, CommandBridge bridge) {
        if (!isRead(request.method())) {
            exchange.respond(notAllowed(READ_METHODS));
            return;
        }
        byte[] key = target.parameter("key");
        int db;
        try {
            parameters(target, Set.of("key", "db"));
            db = database(target);
        } catch (RequestTarget.BadRequest e) {
            exchange.respond(Responses.json(HttpResponseStatus.BAD_REQUEST, LookupJson.body(key, null, 400)));
            return;
        }
        if (key == null || key.length == 0) {
            exchange.respond(Responses.json(HttpResponseStatus.BAD_REQUEST, LookupJson.body(key, null, 400)));
            return;
        }
        KeyCommands.get(
                bridge,
                exchange,
                db,
                key,
                false,
                (frame, offset, length, type) -> {
                    byte[] value = new byte[length];
                    frame.getBytes(offset, value);
                    return Responses.json(HttpResponseStatus.OK, LookupJson.body(key, value, 200));
                },
                () -> Responses.json(HttpResponseStatus.NOT_FOUND, LookupJson.body(key, null, 404)),
                (error, noReply) ->
                        Responses.json(HttpResponseStatus.SERVICE_UNAVAILABLE, LookupJson.body(key, null, 503)));
    }

    /** Seed 003's {@code GET /{key}}: the raw value. */
    private void rawValue(
            HttpRequest request, RequestTarget target, byte[] key, Exchange exchange, CommandBridge bridge) {
        HttpMethod method = request.method();
        if (!isRead(method)) {
            exchange.respond(notAllowed(READ_METHODS));
            return;
        }
        parameters(target, Set.of("db"));
        String ifNoneMatch = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
        KeyCommands.get(
                bridge,
                exchange,
                database(target),
                key,
                false,
                (frame, offset, length, type) ->
                        value(frame, offset, length, Responses.OCTET_STREAM, ifNoneMatch, method),
                () -> Responses.text(HttpResponseStatus.NOT_FOUND, "no such key"),
                Routes::failed);
    }

    /**
     * 200 with the value (a slice of {@code frame}, not a copy) and its ETag, or 304 when
     * {@code ifNoneMatch} names that tag; a HEAD's response has the length but not the bytes.
     * Borrows {@code frame}.
     */
    private static FullHttpResponse value(
            ByteBuf frame, int offset, int length, CharSequence type, @Nullable String ifNoneMatch, HttpMethod method) {
        String etag = ETags.of(frame, offset, length);
        if (ifNoneMatch != null && ETags.matches(ifNoneMatch, etag)) {
            FullHttpResponse notModified = Responses.empty(HttpResponseStatus.NOT_MODIFIED);
            notModified.headers().set(HttpHeaderNames.ETAG, etag);
            return notModified;
        }
        boolean head = method.equals(HttpMethod.HEAD);
        FullHttpResponse response = Responses.body(
                HttpResponseStatus.OK, type, head ? Unpooled.EMPTY_BUFFER : frame.retainedSlice(offset, length));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length).set(HttpHeaderNames.ETAG, etag);
        return response;
    }

    /** A failed command: 503 when it got no reply, else by its error ({@link ReplyStatus}); the error's text. */
    private static FullHttpResponse failed(String error, boolean noReply) {
        return Responses.text(noReply ? HttpResponseStatus.SERVICE_UNAVAILABLE : ReplyStatus.ofError(error), error);
    }

    private static FullHttpResponse rateLimited(boolean lookup, RequestTarget target, long admitNanos) {
        FullHttpResponse response = lookup
                ? Responses.json(
                        HttpResponseStatus.SERVICE_UNAVAILABLE, LookupJson.body(target.parameter("key"), null, 503))
                : Responses.text(HttpResponseStatus.TOO_MANY_REQUESTS, "rate limit exceeded");
        long seconds = Math.max(1, (admitNanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
        response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(seconds));
        return response;
    }

    private static FullHttpResponse notAllowed(AsciiString allowed) {
        FullHttpResponse response = Responses.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
        response.headers().set(HttpHeaderNames.ALLOW, allowed);
        return response;
    }

    private FullHttpResponse tooLarge() {
        return Responses.text(
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "the body is over " + maxBodyBytes + " bytes");
    }

    private static boolean isRead(HttpMethod method) {
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
    }

    /** Refuses a parameter this route does not take: a typo must not pass for a default. */
    private static void parameters(RequestTarget target, Set<String> allowed) {
        for (String name : target.query().keySet()) {
            if (!allowed.contains(name)) {
                throw new RequestTarget.BadRequest("unknown parameter '" + name + "'; this route takes " + allowed);
            }
        }
    }

    private int database(RequestTarget target) {
        byte[] db = target.parameter("db");
        if (db == null) {
            return initialDatabase;
        }
        String text = new String(db, StandardCharsets.US_ASCII);
        if (!DATABASE.matcher(text).matches()) {
            throw new RequestTarget.BadRequest("invalid database: " + text);
        }
        return Integer.parseInt(text);
    }

    /** {@code ?ttl=}: {@code 10s}, {@code 500ms}, {@code 5m}, {@code 1h} or bare seconds; 0 when absent. */
    private static long ttl(RequestTarget target) {
        byte[] ttl = target.parameter("ttl");
        if (ttl == null) {
            return 0;
        }
        String text = new String(ttl, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        Matcher m = TTL.matcher(text);
        long millis = -1;
        if (m.matches() && m.group(1).length() <= 12) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            millis = switch (unit) {
                case "ms" -> n;
                case "s" -> n * 1000;
                case "m" -> n * 60_000;
                default -> n * 3_600_000;
            };
        }
        if (millis <= 0) {
            throw new RequestTarget.BadRequest(
                    "invalid ttl: " + text + " (expected: 10s, 500ms, 5m, 1h or seconds, more than 0)");
        }
        return millis;
    }

    /** Whether the request may be served: always without --requirepass, else with its password (Basic or Bearer). */
    private boolean authorized(HttpHeaders headers) {
        byte[] expected = password;
        if (expected == null) {
            return true;
        }
        String header = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (header == null) {
            return false;
        }
        byte[] given;
        if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(header.substring(6).strip());
            } catch (IllegalArgumentException notBase64) {
                return false;
            }
            String credentials = new String(decoded, StandardCharsets.UTF_8);
            int colon = credentials.indexOf(':');
            given = credentials.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        } else if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        } else {
            return false;
        }
        return MessageDigest.isEqual(expected, given);
    }
}
