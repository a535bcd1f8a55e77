package io.respite.bench.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.respite.resp.RespLimits;
import io.respite.resp.codec.RespFrameDecoder;
import io.respite.resp.codec.RespReplyDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How fast is a 100 KiB bulk reply decoded, arriving whole or in 16 KiB reads as a socket delivers
 * it? respite's {@link RespReplyDecoder} (message tree) and {@link RespFrameDecoder} (relay frame)
 * against Netty's {@link RedisDecoder} + {@link RedisBulkStringAggregator} + {@link
 * RedisArrayAggregator}, on the same bytes through the same pipeline.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar BulkReplyDecodeBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dio.netty.leakDetection.level=disabled"})
public class BulkReplyDecodeBenchmark {

    /** Payload of the reply, in bytes. */
    private static final int PAYLOAD_BYTES = 100 * 1024;

    @Param({"respite-tree", "respite-frame", "netty"})
    public String decoder;

    /** Bytes per read; 0 delivers the reply in one read. */
    @Param({"0", "16384"})
    public int chunkBytes;

    private ByteBuf[] chunks;
    private EmbeddedChannel channel;
    private CountingSink sink;

    @Setup
    public void setUp() {
        byte[] header = ("$" + PAYLOAD_BYTES + "\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuf wire = PooledByteBufAllocator.DEFAULT.directBuffer(header.length + PAYLOAD_BYTES + 2);
        wire.writeBytes(header);
        for (int i = 0; i < PAYLOAD_BYTES; i++) {
            wire.writeByte('a' + i % 26);
        }
        wire.writeByte('\r').writeByte('\n');
        int step = chunkBytes == 0 ? wire.readableBytes() : chunkBytes;
        int count = (wire.readableBytes() + step - 1) / step;
        chunks = new ByteBuf[count];
        for (int i = 0; i < count; i++) {
            int from = i * step;
            chunks[i] = Unpooled.unreleasableBuffer(wire.slice(from, Math.min(step, wire.readableBytes() - from))
                    .asReadOnly());
        }
        sink = new CountingSink();
        ChannelHandler[] handlers = switch (decoder) {
            case "respite-tree" -> new ChannelHandler[] {new RespReplyDecoder(), sink};
            case "respite-frame" -> new ChannelHandler[] {new RespFrameDecoder(), sink};
            default ->
                new ChannelHandler[] {
                    new RedisDecoder(),
                    new RedisBulkStringAggregator(),
                    new RedisArrayAggregator(RespLimits.DEFAULT_MAX_NESTING_DEPTH, Integer.MAX_VALUE),
                    sink
                };
        };
        channel = new EmbeddedChannel(handlers);
    }

    /** Decodes one reply; returns the running message count so the work cannot be eliminated. */
    @Benchmark
    public long decode100KiBBulkReply() {
        for (ByteBuf chunk : chunks) {
            channel.pipeline().fireChannelRead(chunk.duplicate());
        }
        return sink.messages;
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }
}
