package io.respite.proxy.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A request's target ({@code /keys/a%20b?db=2}) taken apart: the path, still encoded, and the query
 * parameters, decoded. Keys are binary-safe: every {@code %XX} becomes the byte it names, and the
 * request line's other characters are the bytes the client sent (Netty reads the line as
 * ISO-8859-1, one char per byte). In the query, {@code +} is a space, as HTML forms (and seed 002's
 * aiohttp) read it; in the path it is itself.
 *
 * @param path  the path, percent-encoded as sent, from its leading {@code /}
 * @param query the query's parameters by name, each decoded; a name without {@code =} maps to an empty value
 */
record RequestTarget(String path, Map<String, byte[]> query) {

    /**
     * Parses a request's target.
     *
     * @throws BadRequest when it is not an origin-form target or a parameter is given twice
     */
    static RequestTarget parse(String uri) {
        if (uri.isEmpty() || uri.charAt(0) != '/') {
            throw new BadRequest("the request target must start with /");
        }
        int question = uri.indexOf('?');
        int hash = uri.indexOf('#');
        int end = hash < 0 ? uri.length() : hash;
        if (question < 0 || question > end) {
            return new RequestTarget(uri.substring(0, end), Map.of());
        }
        Map<String, byte[]> query = new LinkedHashMap<>();
        int from = question + 1;
        while (from <= end) {
            int amp = uri.indexOf('&', from);
            int to = amp < 0 || amp > end ? end : amp;
            if (to > from) {
                int equals = uri.indexOf('=', from);
                boolean valued = equals >= 0 && equals < to;
                String name = new String(decode(uri, from, valued ? equals : to, true), StandardCharsets.ISO_8859_1);
                byte[] value = valued ? decode(uri, equals + 1, to, true) : new byte[0];
                if (query.put(name, value) != null) {
                    throw new BadRequest("the parameter '" + name + "' is given twice");
                }
            }
            from = to + 1;
        }
        return new RequestTarget(uri.substring(0, question), query);
    }

    /** The parameter's decoded value, or null when absent. */
    byte @Nullable [] parameter(String name) {
        return query.get(name);
    }

    /**
     * Percent-decodes {@code text[from, to)} into bytes; with {@code plusIsSpace}, {@code +} is a
     * space.
     *
     * @throws BadRequest on a {@code %} not followed by two hex digits
     */
    static byte[] decode(String text, int from, int to, boolean plusIsSpace) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '%') {
                int high = i + 2 < to ? Character.digit(text.charAt(i + 1), 16) : -1;
                int low = high >= 0 ? Character.digit(text.charAt(i + 2), 16) : -1;
                if (low < 0) {
                    throw new BadRequest("malformed percent-encoding in the request target");
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else {
                bytes.write(c);
            }
        }
        return bytes.toByteArray();
    }

    /** A request that cannot be served as sent: answered 400 with this message. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final String reason;

        BadRequest(String reason) {
            super(reason, null, false, false);
            this.reason = reason;
        }

        /** What the client is told. */
        String reason() {
            return reason;
        }
    }
}
