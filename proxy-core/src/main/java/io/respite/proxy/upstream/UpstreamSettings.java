package io.respite.proxy.upstream;

import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.respite.resp.RespLimits;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to reach and talk to the upstream Redis.
 *
 * @param host upstream host name or address
 * @param port upstream TCP port
 * @param username ACL user for AUTH, or null for the default user
 * @param password password for AUTH, or null for none
 * @param database database selected on connect, used for clients that never SELECT
 * @param timeout how long a command may wait for its reply before the connection is declared broken
 * @param limits decoder limits for replies
 * @param channelType the socket channel class matching the event loop group (epoll or NIO)
 * @param maxDedicated most dedicated (pinned) connections busy at once, over all sessions; a lease
 *     waits up to {@code timeout} for one
 * @param idleDedicated dedicated connections kept connected and idle, per event loop and protocol
 * @param idleDedicatedTimeout how long an idle dedicated connection is kept, beyond the warm one
 * @param tls the TLS context of every connection to a {@code rediss://} upstream; null for plain TCP
 * @param readOnly whether each connection sends {@code READONLY} first: a Redis Cluster replica's,
 *     which then serves reads of its primary's slots ({@code --read-from})
 */
public record UpstreamSettings(
        String host,
        int port,
        @Nullable String username,
        @Nullable String password,
        int database,
        Duration timeout,
        RespLimits limits,
        Class<? extends SocketChannel> channelType,
        int maxDedicated,
        int idleDedicated,
        Duration idleDedicatedTimeout,
        @Nullable SslContext tls,
        boolean readOnly) {

    /** First delay before reconnecting, in milliseconds; doubles up to {@link #MAX_BACKOFF_MILLIS}. */
    public static final long MIN_BACKOFF_MILLIS = 50;
    /** Longest delay between reconnection attempts, in milliseconds. */
    public static final long MAX_BACKOFF_MILLIS = 2000;
    /** Commands held while a connection is being established; beyond this they fail at once. */
    public static final int MAX_WAITING_COMMANDS = 65_536;

    public UpstreamSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(channelType, "channelType");
        Objects.requireNonNull(idleDedicatedTimeout, "idleDedicatedTimeout");
    }

    /** Settings for a primary (or a single Redis): connections that read and write. */
    public UpstreamSettings(
            String host,
            int port,
            @Nullable String username,
            @Nullable String password,
            int database,
            Duration timeout,
            RespLimits limits,
            Class<? extends SocketChannel> channelType,
            int maxDedicated,
            int idleDedicated,
            Duration idleDedicatedTimeout,
            @Nullable SslContext tls) {
        this(
                host,
                port,
                username,
                password,
                database,
                timeout,
                limits,
                channelType,
                maxDedicated,
                idleDedicated,
                idleDedicatedTimeout,
                tls,
                false);
    }

    /**
     * These settings for a Redis Cluster replica at {@code newHost:newPort}, for forwarded reads
     * only: {@code READONLY} on connect, and no idle dedicated connections (nothing leases one).
     */
    public UpstreamSettings forReplica(String newHost, int newPort) {
        return with(newHost, newPort, username, password, 0, true);
    }

    /** These settings for another node of the same deployment (a Redis Cluster's, a new primary). */
    public UpstreamSettings withAddress(String newHost, int newPort) {
        return with(newHost, newPort, username, password, idleDedicated, readOnly);
    }

    /**
     * These settings with another identity: for a user's lane ({@code --auth passthrough}), whose
     * connections authenticate as that user.
     */
    public UpstreamSettings withCredentials(String user, String secret) {
        return with(host, port, user, secret, idleDedicated, readOnly);
    }

    private UpstreamSettings with(
            String newHost,
            int newPort,
            @Nullable String newUsername,
            @Nullable String newPassword,
            int newIdleDedicated,
            boolean newReadOnly) {
        return new UpstreamSettings(
                newHost,
                newPort,
                newUsername,
                newPassword,
                database,
                timeout,
                limits,
                channelType,
                maxDedicated,
                newIdleDedicated,
                idleDedicatedTimeout,
                tls,
                newReadOnly);
    }

    /** Every field but the password, which never goes into a message or a log. */
    @Override
    public String toString() {
        return "UpstreamSettings[" + address() + ", user=" + username + ", db=" + database
                + (readOnly ? ", readonly" : "") + "]";
    }

    /** {@code host:port}, for messages. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
