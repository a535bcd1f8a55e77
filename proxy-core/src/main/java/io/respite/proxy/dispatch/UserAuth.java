package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * AUTH with {@code --auth passthrough}: Redis checks the client's credentials, and the client then
 * runs as that user ({@link Passthrough}). A state machine per client, each step one call of
 * {@link #authenticate} with the same AUTH (or HELLO) command:
 *
 * <ol>
 *   <li>Replies due before the AUTH: it waits until they have gone out (its commands after it will
 *       run on another lane, which must not overtake them). The command comes back.
 *   <li>No verdict yet: the client's AUTH goes to Redis on a connection of its own; the client is
 *       held (nothing after the AUTH is read) until Redis answers. The command comes back.
 *   <li>Redis refused: its error, word for word ({@code WRONGPASS ...}), and the client stays as it
 *       was (unauthenticated, or the user it was), as on Redis.
 *   <li>Redis accepted: the client takes the user's lane ({@code --max-users} permitting) and runs
 *       as that user: authenticated.
 * </ol>
 *
 * A client holding a dedicated connection or a subscription cannot change lanes: its state lives
 * on the connection of the user it is; AUTH as another user is refused then. Passwords are never
 * logged, and leave respite only in the AUTH sent to Redis. Shared by every client; stateless.
 */
final class UserAuth {

    /** What {@link #authenticate} came to. */
    enum Outcome {
        /** The command was held: it comes back to the router later. */
        HELD,
        /** An error was answered. */
        REFUSED,
        /** The client runs as the user now; the caller answers. */
        AUTHENTICATED
    }

    private static final byte[] AUTH = "AUTH".getBytes(StandardCharsets.US_ASCII);

    private final Passthrough passthrough;

    UserAuth(Passthrough passthrough) {
        this.passthrough = passthrough;
    }

    /**
     * One step of authenticating {@code client} as {@code user} with {@code secret}, for
     * {@code command}. {@code defaultUser}: the client named no user ({@code AUTH <password>}), so
     * Redis is asked the same, and answers as it would the client. Borrows {@code command}.
     */
    Outcome authenticate(ClientContext client, RespCommand command, String user, String secret, boolean defaultUser) {
        String verdict = client.takeVerdict();
        if (verdict == null) {
            Passthrough.Held current = client.user();
            if ((client.leased() != null || client.subscribed()) && (current == null || !current.holds(user, secret))) {
                client.sink()
                        .replyError("ERR respite cannot change the user of a connection while a transaction, a "
                                + "WATCH, a blocking command or a subscription holds it");
                return Outcome.REFUSED;
            }
            if (client.sink().hasPendingReplies()) {
                client.holdUntilDrained(command);
                return Outcome.HELD;
            }
            verify(client, command, user, secret, defaultUser);
            return Outcome.HELD;
        }
        if (!verdict.isEmpty()) {
            client.sink().replyError(verdict);
            return Outcome.REFUSED;
        }
        Passthrough.Held held = passthrough.acquire(client.sharedLane().loop(), user, secret);
        if (held == null) {
            client.sink()
                    .replyError("ERR respite has upstream connections open for as many users as --max-users "
                            + "allows on this thread, all in use; try again later");
            return Outcome.REFUSED;
        }
        client.runAs(held);
        return Outcome.AUTHENTICATED;
    }

    /** Sends the client's AUTH to Redis on a connection of its own, holding the client until the verdict. */
    private static void verify(
            ClientContext client, RespCommand command, String user, String secret, boolean defaultUser) {
        Consumer<String> verdict = client.awaitVerdict(command);
        byte[] secretBytes = secret.getBytes(StandardCharsets.UTF_8);
        RespCommand auth = defaultUser
                ? RespCommand.of(AUTH, secretBytes)
                : RespCommand.of(AUTH, user.getBytes(StandardCharsets.UTF_8), secretBytes);
        ByteBuf frame = auth.frame().retain();
        auth.release();
        client.sharedLane().sendOutOfBand(RespVersion.RESP2, frame, new ReplyCallback() {
            /** Takes ownership of {@code reply}. */
            @Override
            public void onReply(ByteBuf reply) {
                String text;
                try {
                    boolean error = reply.isReadable() && reply.getByte(reply.readerIndex()) == '-';
                    text = error
                            ? reply.toString(StandardCharsets.UTF_8)
                                    .substring(1)
                                    .strip()
                            : "";
                } finally {
                    reply.release();
                }
                verdict.accept(text);
            }

            @Override
            public void onFailure(String error) {
                verdict.accept(error);
            }
        });
    }
}
