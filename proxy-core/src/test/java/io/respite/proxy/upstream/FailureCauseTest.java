package io.respite.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Causes in words: what a client reads in {@code -ERR upstream unavailable (...)}, never a Java class name. */
class FailureCauseTest {

    private static final String ADDRESS = "10.0.0.1:6379";

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "recvAddress(..) failed with error(-104): Connection reset by peer | connection reset by peer (10.0.0.1:6379)",
                "recvAddress(..) failed: Connection reset by peer | connection reset by peer (10.0.0.1:6379)",
                "finishConnect(..) failed with error(-111): Connection refused: /10.0.0.1:6379 | connection refused (10.0.0.1:6379)",
                "No route to host | no route to host (10.0.0.1:6379)",
            })
    void systemErrorsLoseTheNativeCall(String message, String expected) {
        assertEquals(expected, FailureCause.of(new IOException(message), ADDRESS));
        assertEquals(expected, FailureCause.of(new ConnectException(message), ADDRESS));
    }

    @Test
    void knownFailuresHaveTheirOwnWords() {
        assertEquals(
                "no answer from 10.0.0.1:6379 to connect",
                FailureCause.of(new ConnectTimeoutException("connection timed out after 5000 ms"), ADDRESS));
        assertEquals("unknown host in 10.0.0.1:6379", FailureCause.of(new UnknownHostException("redis"), ADDRESS));
        assertEquals("connection to 10.0.0.1:6379 closed", FailureCause.of(new ClosedChannelException(), ADDRESS));
        assertEquals(
                "protocol error in a reply from 10.0.0.1:6379", FailureCause.of(new DecoderException("bad"), ADDRESS));
    }

    @Test
    void anythingElseNamesNoJavaClass() {
        String cause = FailureCause.of(new IllegalStateException("boom"), ADDRESS);
        assertEquals("internal error talking to 10.0.0.1:6379, see respite's log", cause);
        assertFalse(cause.contains("Exception"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "PING | ERR max number of clients reached | the upstream refused the connection: max number of clients reached",
                "AUTH | WRONGPASS invalid username-password pair or user is disabled. | the upstream refused respite's "
                        + "credentials: WRONGPASS invalid username-password pair or user is disabled.",
                "AUTH | ERR AUTH <password> called without any password configured for the default user. | the upstream "
                        + "refused respite's credentials: ERR AUTH <password> called without any password configured for the "
                        + "default user.",
                "PING | NOAUTH Authentication required. | the upstream requires a password and respite has none (see "
                        + "--upstream-password-file)",
                "HELLO 3 | NOPROTO unsupported protocol version | the upstream does not speak RESP3: NOPROTO unsupported "
                        + "protocol version",
                "SELECT 20 | ERR DB index is out of range | SELECT 20 failed: ERR DB index is out of range",
            })
    void refusedHandshakesSayWhatToFix(String what, String error, String expected) {
        assertEquals(expected, FailureCause.ofHandshake(what, error));
    }

    @Test
    void theClientErrorWrapsTheCause() {
        assertEquals(
                "ERR upstream unavailable (timeout after 5000 ms)", FailureCause.clientError("timeout after 5000 ms"));
    }
}
