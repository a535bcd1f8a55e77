package io.respite.proxy.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestTargetTest {

    @Test
    void splitsPathAndDecodedQuery() {
        RequestTarget target = RequestTarget.parse("/keys/a%20b?db=2&nx&ttl=10s#fragment");
        assertEquals("/keys/a%20b", target.path());
        assertArrayEquals(bytes("2"), target.parameter("db"));
        assertArrayEquals(new byte[0], target.parameter("nx"));
        assertArrayEquals(bytes("10s"), target.parameter("ttl"));
        assertNull(target.parameter("other"));
    }

    @Test
    void aPlusIsASpaceInTheQueryButNotInThePath() {
        RequestTarget target = RequestTarget.parse("/a+b?key=c+d%2B");
        assertArrayEquals(
                bytes("a+b"),
                RequestTarget.decode(target.path(), 1, target.path().length(), false));
        assertArrayEquals(bytes("c d+"), target.parameter("key"));
    }

    @Test
    void everyByteValueDecodes() {
        StringBuilder encoded = new StringBuilder();
        byte[] expected = new byte[256];
        for (int b = 0; b < 256; b++) {
            encoded.append(String.format(b % 2 == 0 ? "%%%02X" : "%%%02x", b));
            expected[b] = (byte) b;
        }
        assertArrayEquals(expected, RequestTarget.decode(encoded.toString(), 0, encoded.length(), false));
        // Unencoded bytes of the request line (read as ISO-8859-1) are themselves.
        assertArrayEquals(new byte[] {(byte) 0xe9}, RequestTarget.decode(String.valueOf((char) 0xe9), 0, 1, false));
    }

    @Test
    void noQueryAndEmptyParametersAreFine() {
        assertEquals(0, RequestTarget.parse("/lookup").query().size());
        assertEquals(0, RequestTarget.parse("/lookup?").query().size());
        assertEquals(1, RequestTarget.parse("/lookup?&key=&").query().size());
    }

    @Test
    void malformedTargetsAreRefusedWithAReason() {
        assertEquals(
                "malformed percent-encoding in the request target",
                assertThrows(RequestTarget.BadRequest.class, () -> RequestTarget.parse("/a?key=%4"))
                        .reason());
        assertThrows(RequestTarget.BadRequest.class, () -> RequestTarget.decode("%zz", 0, 3, false));
        assertThrows(RequestTarget.BadRequest.class, () -> RequestTarget.decode("%", 0, 1, false));
        assertThrows(RequestTarget.BadRequest.class, () -> RequestTarget.parse("http://host/keys/a"));
        assertThrows(RequestTarget.BadRequest.class, () -> RequestTarget.parse(""));
        assertEquals(
                "the parameter 'db' is given twice",
                assertThrows(RequestTarget.BadRequest.class, () -> RequestTarget.parse("/k?db=1&db=2"))
                        .reason());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
