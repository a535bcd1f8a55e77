package io.respite.bench.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.respite.resp.RespLimits;
import io.respite.resp.codec.RespRequestDecoder;
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
 * How fast is a pipeline of 16 {@code GET key:<n>} requests decoded into commands, by respite's
 * {@link RespRequestDecoder} and by Netty's {@link RedisDecoder} + {@link RedisArrayAggregator}?
 * Both get the same bytes, in one read, through the same pipeline into a sink that releases what
 * it receives. One operation is the whole pipeline of 16 commands.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RequestDecodeBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dio.netty.leakDetection.level=disabled"})
public class RequestDecodeBenchmark {

    /** Commands per pipeline, as the issue asks. */
    private static final int PIPELINE = 16;

    @Param({"respite", "netty"})
    public String decoder;

    private ByteBuf input;
    private EmbeddedChannel channel;
    private CountingSink sink;

    @Setup
    public void setUp() {
        StringBuilder wire = new StringBuilder();
        for (int n = 0; n < PIPELINE; n++) {
            String key = "key:" + (100_000 + n * 7919);
            wire.append("*2\r\n$3\r\nGET\r\n$")
                    .append(key.length())
                    .append("\r\n")
                    .append(key)
                    .append("\r\n");
        }
        byte[] bytes = wire.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuf direct =
                PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
        input = Unpooled.unreleasableBuffer(direct.asReadOnly());
        sink = new CountingSink();
        ChannelHandler[] handlers = decoder.equals("respite")
                ? new ChannelHandler[] {new RespRequestDecoder(), sink}
                : new ChannelHandler[] {
                    new RedisDecoder(),
                    new RedisArrayAggregator(RespLimits.DEFAULT_MAX_NESTING_DEPTH, Integer.MAX_VALUE),
                    sink
                };
        channel = new EmbeddedChannel(handlers);
    }

    /** Decodes one pipeline; returns the running message count so the work cannot be eliminated. */
    @Benchmark
    public long decodePipelineOf16Gets() {
        channel.pipeline().fireChannelRead(input.duplicate());
        return sink.messages;
    }

    @TearDown
    public void tearDown() {
        if (sink.messages % PIPELINE != 0) {
            throw new IllegalStateException("decoded " + sink.messages + " messages, not a multiple of " + PIPELINE);
        }
        channel.finishAndReleaseAll();
    }
}
