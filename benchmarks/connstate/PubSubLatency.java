import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Publish-to-receive latency for N subscribers of one channel: publishes M messages one at a
 * time, each once every subscriber has the one before, and times each subscriber's receipt from
 * just before the PUBLISH was written; one thread reads every subscriber. Prints p50 and p99.
 * Run with the JDK's source launcher: java PubSubLatency.java HOST PORT SUBSCRIBERS MESSAGES
 */
public final class PubSubLatency {

    public static void main(String[] args) throws IOException {
        InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int subscribers = Integer.parseInt(args[2]);
        int messages = Integer.parseInt(args[3]);
        byte[] subscribe = command("SUBSCRIBE", "bench");
        int confirmation = ("*3\r\n$9\r\nsubscribe\r\n$5\r\nbench\r\n:1\r\n").length();
        int messageBytes = ("*3\r\n$7\r\nmessage\r\n$5\r\nbench\r\n$8\r\n12345678\r\n").length();
        Selector selector = Selector.open();
        SocketChannel[] channels = new SocketChannel[subscribers];
        for (int i = 0; i < subscribers; i++) {
            SocketChannel channel = SocketChannel.open(address);
            channel.socket().setTcpNoDelay(true);
            channel.write(ByteBuffer.wrap(subscribe));
            ByteBuffer reply = ByteBuffer.allocate(confirmation);
            while (reply.hasRemaining()) {
                channel.read(reply);
            }
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, new int[1]);
            channels[i] = channel;
        }
        long[] latencies = new long[subscribers * messages];
        int samples = 0;
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
        try (Socket publisher = new Socket(address.getHostString(), address.getPort())) {
            publisher.setTcpNoDelay(true);
            OutputStream out = publisher.getOutputStream();
            InputStream in = publisher.getInputStream();
            for (int m = 0; m < messages; m++) {
                long sent = System.nanoTime();
                out.write(command("PUBLISH", "bench", String.format("%08d", m)));
                out.flush();
                int received = 0;
                while (received < subscribers) {
                    selector.select();
                    long now = System.nanoTime();
                    for (SelectionKey key : selector.selectedKeys()) {
                        int[] pending = (int[]) key.attachment();
                        buffer.clear();
                        int n = ((SocketChannel) key.channel()).read(buffer);
                        if (n < 0) {
                            throw new IOException("subscriber closed");
                        }
                        pending[0] += n;
                        while (pending[0] >= messageBytes) {
                            pending[0] -= messageBytes;
                            received++;
                            if (m >= messages / 10) {
                                latencies[samples++] = now - sent;
                            }
                        }
                    }
                    selector.selectedKeys().clear();
                }
                readLine(in);
            }
        }
        long[] sorted = Arrays.copyOf(latencies, samples);
        Arrays.sort(sorted);
        System.out.printf(
                "%d subscribers, %d messages: publish to receive p50 %.0f us, p99 %.0f us (first tenth not counted)%n",
                subscribers,
                messages,
                sorted[samples / 2] / 1e3,
                sorted[(int) (samples * 0.99)] / 1e3);
        for (SocketChannel channel : channels) {
            channel.close();
        }
    }

    private static void readLine(InputStream in) throws IOException {
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("publisher closed");
            }
        }
    }

    private static byte[] command(String... args) {
        StringBuilder out = new StringBuilder("*" + args.length + "\r\n");
        for (String arg : args) {
            out.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
