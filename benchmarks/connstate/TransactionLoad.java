import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Drives MULTI / SET / EXEC transactions, each sent as one pipeline as client libraries send
 * them, on C connections from one thread, for S seconds; prints transactions per second.
 * Run with the JDK's source launcher: java TransactionLoad.java HOST PORT CLIENTS SECONDS
 */
public final class TransactionLoad {

    private static final byte[] TRANSACTION = ("*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$2\r\ntx\r\n$1\r\nv\r\n"
                    + "*1\r\n$4\r\nEXEC\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    /** +OK, +QUEUED, *1 +OK: the bytes of one transaction's replies. */
    private static final int REPLY_BYTES = "+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n".length();

    public static void main(String[] args) throws IOException {
        InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int clients = Integer.parseInt(args[2]);
        long seconds = Long.parseLong(args[3]);
        Selector selector = Selector.open();
        for (int i = 0; i < clients; i++) {
            SocketChannel channel = SocketChannel.open(address);
            channel.configureBlocking(false);
            channel.socket().setTcpNoDelay(true);
            channel.register(selector, SelectionKey.OP_READ, new int[1]);
            channel.write(ByteBuffer.wrap(TRANSACTION));
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
        long warmUpEnd = System.nanoTime() + 2_000_000_000L;
        long end = warmUpEnd + seconds * 1_000_000_000L;
        long counted = 0;
        boolean measuring = false;
        while (System.nanoTime() < end) {
            selector.select(100);
            if (!measuring && System.nanoTime() >= warmUpEnd) {
                measuring = true;
                counted = 0;
            }
            for (SelectionKey key : selector.selectedKeys()) {
                SocketChannel channel = (SocketChannel) key.channel();
                int[] received = (int[]) key.attachment();
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    throw new IOException("connection closed");
                }
                received[0] += n;
                while (received[0] >= REPLY_BYTES) {
                    received[0] -= REPLY_BYTES;
                    counted++;
                    channel.write(ByteBuffer.wrap(TRANSACTION));
                }
            }
            selector.selectedKeys().clear();
        }
        System.out.printf("%d clients: %.0f transactions/s%n", clients, counted / (double) seconds);
    }
}
