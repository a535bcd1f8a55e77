package io.respite.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A blocking RESP client that returns each reply as its exact wire bytes.
 *
 * <p>Deliberately independent of respite's codec: it finds reply boundaries with a small
 * recursive reader of its own, so tests can use it as a witness for the codec and the proxy.
 * Not thread-safe; one client per thread.
 */
public final class RespTestClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RespTestClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    /** Connects with a read timeout, so that a missing reply fails the test instead of hanging it. */
    public static RespTestClient connect(InetSocketAddress address, Duration readTimeout) throws IOException {
        return connect(address, readTimeout, 0);
    }

    /**
     * As {@link #connect(InetSocketAddress, Duration)}, with a socket receive buffer of
     * {@code receiveBufferBytes} (0: the system's, which autotuning may grow to tens of megabytes):
     * a small one makes a client that does not read hold little in the kernel, so the server's own
     * output limits decide what happens to it.
     */
    public static RespTestClient connect(InetSocketAddress address, Duration readTimeout, int receiveBufferBytes)
            throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(address, (int) Duration.ofSeconds(5).toMillis());
        socket.setSoTimeout((int) readTimeout.toMillis());
        return new RespTestClient(socket);
    }

    /**
     * As {@link #connect(InetSocketAddress, Duration)}, over TLS with {@code tls} (its trust, and its
     * certificate if it has one); the handshake is done before this returns, so a refused one throws
     * here.
     */
    public static RespTestClient connect(InetSocketAddress address, Duration readTimeout, SSLContext tls)
            throws IOException {
        Socket plain = new Socket();
        plain.setTcpNoDelay(true);
        plain.connect(address, (int) Duration.ofSeconds(5).toMillis());
        plain.setSoTimeout((int) readTimeout.toMillis());
        SSLSocket socket = (SSLSocket)
                tls.getSocketFactory().createSocket(plain, address.getHostString(), address.getPort(), true);
        try {
            socket.startHandshake();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new RespTestClient(socket);
    }

    /** The certificate the server presented, on a TLS connection. */
    public Certificate peerCertificate() throws IOException {
        return ((SSLSocket) socket).getSession().getPeerCertificates()[0];
    }

    public static RespTestClient connect(InetSocketAddress address) throws IOException {
        return connect(address, Duration.ofSeconds(10));
    }

    /** Sends the arguments as a RESP array of bulk strings and returns the raw reply. */
    public byte[] call(byte[]... args) throws IOException {
        send(encodeCommand(args));
        return readReply();
    }

    /** As {@link #call(byte[]...)}, with UTF-8 arguments. */
    public byte[] call(String... args) throws IOException {
        return call(utf8(args));
    }

    /** As {@link #call(String...)}, decoding the raw reply as UTF-8 for readable assertions. */
    public String callString(String... args) throws IOException {
        return new String(call(args), StandardCharsets.UTF_8);
    }

    /** Writes bytes as they are: inline commands, pipelines, garbage. */
    public void send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** Reads exactly one complete reply and returns its wire bytes. */
    public byte[] readReply() throws IOException {
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        readValue(reply);
        return reply.toByteArray();
    }

    /** True when the server closed the connection (end of stream before any further byte). */
    public boolean isClosedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** Encodes a command the way client libraries do: an array of bulk strings. */
    public static byte[] encodeCommand(byte[]... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        writeAscii(buf, "*" + args.length + "\r\n");
        for (byte[] arg : args) {
            writeAscii(buf, "$" + arg.length + "\r\n");
            buf.writeBytes(arg);
            writeAscii(buf, "\r\n");
        }
        return buf.toByteArray();
    }

    public static byte[] encodeCommand(String... args) {
        return encodeCommand(utf8(args));
    }

    private static void writeAscii(ByteArrayOutputStream buf, String s) {
        buf.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[][] utf8(String... args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }

    private void readValue(ByteArrayOutputStream reply) throws IOException {
        int type = readByte();
        reply.write(type);
        String line = readLine(reply);
        switch (type) {
            case '+', '-', ':', '_', '#', ',', '(' -> {}
            case '$', '!', '=' -> {
                long len = Long.parseLong(line);
                if (len >= 0) {
                    copy(reply, len + 2);
                }
            }
            case '*', '~', '>' -> {
                long count = Long.parseLong(line);
                for (long i = 0; i < count; i++) {
                    readValue(reply);
                }
            }
            case '%', '|' -> {
                long count = Long.parseLong(line);
                for (long i = 0; i < 2 * count; i++) {
                    readValue(reply);
                }
                if (type == '|') {
                    // An attribute precedes the value it annotates; both form one reply.
                    readValue(reply);
                }
            }
            default -> throw new IOException("unexpected RESP type byte " + type + " ('" + (char) type + "')");
        }
    }

    private String readLine(ByteArrayOutputStream reply) throws IOException {
        StringBuilder line = new StringBuilder();
        for (; ; ) {
            int b = readByte();
            reply.write(b);
            if (b == '\r') {
                int lf = readByte();
                reply.write(lf);
                if (lf != '\n') {
                    throw new IOException("CR not followed by LF");
                }
                return line.toString();
            }
            line.append((char) b);
        }
    }

    private void copy(ByteArrayOutputStream reply, long count) throws IOException {
        byte[] chunk = new byte[8192];
        while (count > 0) {
            int n = in.read(chunk, 0, (int) Math.min(chunk.length, count));
            if (n < 0) {
                throw new IOException("connection closed mid-reply");
            }
            reply.write(chunk, 0, n);
            count -= n;
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new IOException("connection closed mid-reply");
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
