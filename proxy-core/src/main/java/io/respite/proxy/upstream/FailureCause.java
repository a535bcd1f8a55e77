package io.respite.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.respite.proxy.tls.TlsFailure;
import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Why an upstream connection failed, in words a Redis user reads in
 * {@code -ERR upstream unavailable (<cause>)}: never a Java class name, never an upstream error
 * out of context. Stateless.
 */
final class FailureCause {

    /** The failed call before the system's words: {@code recvAddress(..) failed with error(-104): }. */
    private static final Pattern NATIVE_CALL = Pattern.compile("^.*?failed(?: with error\\(-?[0-9]+\\))?: ");

    /** Redis's greeting to a connection beyond its {@code maxclients}. */
    private static final String MAX_CLIENTS = "ERR max number of clients reached";

    private FailureCause() {}

    /** The error text a client gets while the upstream is unavailable for {@code cause}. */
    static String clientError(String cause) {
        return "ERR upstream unavailable (" + cause + ")";
    }

    /**
     * A failure of the connection itself (connect, read, write), for the upstream at
     * {@code address}.
     */
    static String of(Throwable failure, String address) {
        if (TlsFailure.isTls(failure)) {
            return ofTls(failure, address);
        }
        if (failure instanceof ConnectTimeoutException) {
            return "no answer from " + address + " to connect";
        }
        if (failure instanceof UnknownHostException) {
            return "unknown host in " + address;
        }
        if (failure instanceof ClosedChannelException) {
            return "connection to " + address + " closed";
        }
        if (failure instanceof DecoderException) {
            return "protocol error in a reply from " + address;
        }
        if (failure instanceof IOException && failure.getMessage() != null) {
            return systemError(failure.getMessage()) + " (" + address + ")";
        }
        return "internal error talking to " + address + ", see respite's log";
    }

    /** A failed TLS handshake with the upstream at {@code address}, in words (see {@link TlsFailure}). */
    static String ofTls(Throwable failure, String address) {
        return "TLS handshake with " + address + " failed: " + TlsFailure.describe(failure);
    }

    /**
     * A refused handshake command ({@code what}: {@code AUTH}, {@code HELLO 3}, {@code SELECT 2},
     * {@code PING}) that Redis answered with the error {@code error} (without its {@code -}).
     */
    static String ofHandshake(String what, String error) {
        if (error.startsWith(MAX_CLIENTS)) {
            return "the upstream refused the connection: max number of clients reached";
        }
        if (error.startsWith("WRONGPASS") || (what.equals("AUTH") && error.startsWith("ERR"))) {
            return "the upstream refused respite's credentials: " + error;
        }
        if (error.startsWith("NOAUTH")) {
            return "the upstream requires a password and respite has none (see --upstream-password-file)";
        }
        if (error.startsWith("NOPROTO")) {
            return "the upstream does not speak RESP3: " + error;
        }
        return what + " failed: " + error;
    }

    /**
     * The text of an error reply, without its marker and final CRLF (and a blob error's length
     * line). Borrows {@code reply}.
     */
    static String errorText(ByteBuf reply) {
        String text = reply.toString(reply.readerIndex() + 1, reply.readableBytes() - 1, StandardCharsets.UTF_8);
        if (reply.getByte(reply.readerIndex()) == '!') {
            text = text.substring(text.indexOf('\n') + 1);
        }
        return text.strip();
    }

    /**
     * The operating system's words from an I/O error, without the call that failed: Netty's
     * native transport reports {@code recvAddress(..) failed: Connection reset by peer}.
     */
    private static String systemError(String message) {
        String text = NATIVE_CALL.matcher(message).replaceFirst("");
        int address = text.indexOf(": /");
        if (address >= 0) {
            text = text.substring(0, address);
        }
        return text.isEmpty() ? "I/O error" : text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }
}
