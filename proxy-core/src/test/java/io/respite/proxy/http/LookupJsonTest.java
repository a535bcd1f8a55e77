package io.respite.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each expected string is what Python 3's {@code json.dumps} writes for the same dict. */
class LookupJsonTest {

    @Test
    void foundMissingAndMalformedAsSeed002WroteThem() {
        assertEquals("{\"key\": \"k\", \"value\": \"v\", \"status\": 200}", json(bytes("k"), bytes("v"), 200));
        assertEquals("{\"key\": \"k\", \"value\": null, \"status\": 404}", json(bytes("k"), null, 404));
        assertEquals("{\"key\": null, \"value\": null, \"status\": 400}", json(null, null, 400));
        assertEquals("{\"key\": \"k\", \"value\": null, \"status\": 503}", json(bytes("k"), null, 503));
    }

    @Test
    void everythingOutsidePrintableAsciiIsEscapedAsPythonDoes() {
        String text = "\"\\/\n\r\t\b\f" + (char) 0 + (char) 0x1b + (char) 0x7f + (char) 0xe9
                + new String(Character.toChars(0x1f600));
        assertEquals(
                "{\"key\": \"k\", \"value\": \"\\\"\\\\/\\n\\r\\t\\b\\f\\u0000\\u001b\\u007f\\u00e9\\ud83d\\ude00\", "
                        + "\"status\": 200}",
                json(bytes("k"), bytes(text), 200));
    }

    @Test
    void aValueThatIsNotUtf8IsBase64() {
        assertEquals(
                "{\"key\": \"k\", \"value\": \"gP8=\", \"status\": 200, \"encoding\": \"base64\"}",
                json(bytes("k"), new byte[] {(byte) 0x80, (byte) 0xff}, 200));
        assertEquals("{\"key\": \"k\", \"value\": \"\", \"status\": 200}", json(bytes("k"), new byte[0], 200));
    }

    private static String json(byte[] key, byte[] value, int status) {
        return new String(LookupJson.body(key, value, status), StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
