package io.respite.resp.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respite.resp.RespCodecException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RespFramesTest {

    @Test
    void elementsOfAnArrayAreFoundInPlaceWhateverTheirType() {
        ByteBuf frame = frame("xx*3\r\n+OK\r\n*2\r\n:1\r\n$-1\r\n%1\r\n$1\r\na\r\n#t\r\n", 2);
        assertArrayEquals(new int[] {6, 5, 11, 13, 24, 15}, RespFrames.elements(frame));
        frame.release();
    }

    @Test
    void aMapsKeysAndValuesAreElementsOfTheirOwn() {
        ByteBuf frame = frame("%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n", 0);
        assertArrayEquals(new int[] {4, 7, 11, 4, 15, 7, 22, 3}, RespFrames.elements(frame));
        frame.release();
    }

    @Test
    void scalarsErrorsAndNullAggregatesHaveNoElements() {
        for (String reply :
                new String[] {"+OK\r\n", "-ERR no\r\n", "$1\r\na\r\n", "*-1\r\n", "|1\r\n+a\r\n+b\r\n:1\r\n"}) {
            ByteBuf frame = frame(reply, 0);
            assertNull(RespFrames.elements(frame), reply);
            frame.release();
        }
        ByteBuf empty = frame("*0\r\n", 0);
        assertArrayEquals(new int[0], RespFrames.elements(empty));
        empty.release();
    }

    @Test
    void aTruncatedFrameIsAnError() {
        ByteBuf frame = frame("*2\r\n+OK\r\n", 0);
        assertThrows(RespCodecException.class, () -> RespFrames.elements(frame));
        frame.release();
    }

    /** {@code text} in a buffer whose reader index is {@code readerIndex}. */
    private static ByteBuf frame(String text, int readerIndex) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII).readerIndex(readerIndex);
    }
}
