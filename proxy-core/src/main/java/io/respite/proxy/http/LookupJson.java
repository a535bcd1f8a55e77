package io.respite.proxy.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code GET /lookup?key=K}, byte for byte as seed 002's aiohttp proxy wrote it with
 * Python's {@code json.dumps}: {@code {"key": "K", "value": "V", "status": 200}}, with {@code ", "}
 * and {@code ": "} between items, every character outside printable ASCII escaped as a lower-case
 * {@code \\uXXXX} (astral characters as surrogate pairs), {@code null} for a missing value. A value
 * that is not UTF-8 is given in base64, with {@code "encoding": "base64"} after the status. Written
 * by Jackson's streaming generator, told Python's separators and escapes. Thread-safe.
 */
final class LookupJson {

    private static final JsonFactory FACTORY =
            new JsonFactoryBuilder().characterEscapes(new PythonEscapes()).build();

    private static final MinimalPrettyPrinter PYTHON_SEPARATORS = new MinimalPrettyPrinter() {
        private static final long serialVersionUID = 1L;

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    };

    private LookupJson() {}

    /**
     * The JSON for a lookup of {@code key} ({@code null} when the request named none) that found
     * {@code value} (null when it did not), answered with {@code status}; plain ASCII.
     */
    static byte[] body(byte @Nullable [] key, byte @Nullable [] value, int status) {
        StringWriter out = new StringWriter(64 + (value == null ? 0 : value.length * 2));
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.setPrettyPrinter(PYTHON_SEPARATORS);
            json.writeStartObject();
            json.writeFieldName("key");
            if (key == null) {
                json.writeNull();
            } else {
                json.writeString(new String(key, StandardCharsets.UTF_8));
            }
            String text = value == null ? null : utf8(value);
            json.writeFieldName("value");
            if (value == null) {
                json.writeNull();
            } else {
                json.writeString(text != null ? text : Base64.getEncoder().encodeToString(value));
            }
            json.writeNumberField("status", status);
            if (value != null && text == null) {
                json.writeStringField("encoding", "base64");
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string", e);
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code bytes} as text when they are well-formed UTF-8, else null. */
    private static @Nullable String utf8(byte[] bytes) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException notUtf8) {
            return null;
        }
    }

    /**
     * Python's {@code ensure_ascii} escapes: the short forms for quote, backslash, {@code \n},
     * {@code \r}, {@code \t}, {@code \b}, {@code \f}; every other character outside space to
     * tilde (DEL and all of non-ASCII too) as a lower-case {@code \\uXXXX} per UTF-16 unit.
     */
    private static final class PythonEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;

        private final int[] ascii;

        PythonEscapes() {
            ascii = standardAsciiEscapesForJSON();
            for (int c = 0; c < 0x20; c++) {
                if ("\n\r\t\b\f".indexOf(c) < 0) {
                    ascii[c] = ESCAPE_CUSTOM;
                }
            }
            ascii[0x7f] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            String hex = Integer.toHexString(ch);
            return new SerializedString("\\u" + "0000".substring(hex.length()) + hex);
        }
    }
}
