package io.respite.resp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RespBytesTest {

    @ParameterizedTest
    @CsvSource({
        "0,0",
        "1,1",
        "-1,-1",
        "42,42",
        "9223372036854775807,9223372036854775807",
        "-9223372036854775807,-9223372036854775807"
    })
    void parsesStrictIntegers(String text, long expected) {
        ByteBuf buf = Unpooled.copiedBuffer("x" + text + "y", StandardCharsets.US_ASCII);
        assertEquals(expected, RespBytes.parseLong(buf, 1, text.length()));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "-",
                "+1",
                "01",
                "-0",
                "00",
                " 1",
                "1 ",
                "1a",
                "9223372036854775808",
                "-9223372036854775809",
                "-9223372036854775808",
                "123456789012345678901"
            })
    void rejectsWhatRedisRejects(String text) {
        ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
        assertEquals(RespBytes.NOT_A_NUMBER, RespBytes.parseLong(buf, 0, text.length()));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 9, 10, 99, 100, -1, -10, 123456789, Long.MAX_VALUE, Long.MIN_VALUE, -999999999999L})
    void writesIntegersAsJavaFormatsThem(long value) {
        ByteBuf out = Unpooled.buffer(1);
        RespBytes.writeLong(out, value);
        assertEquals(Long.toString(value), out.toString(StandardCharsets.US_ASCII));
        assertEquals(Long.toString(value).length(), RespBytes.longLength(value));
    }
}
