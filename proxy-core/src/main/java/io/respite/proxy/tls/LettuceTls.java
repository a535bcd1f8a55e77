package io.respite.proxy.tls;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.netty.handler.ssl.SslContextBuilder;
import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * TLS for the upstream connections Lettuce opens for respite: a Redis Cluster's topology
 * connections and a Sentinel group's sentinels, with the files, provider and checks of respite's
 * own connections ({@link UpstreamTls#lettuce}), so that one set of {@code --upstream-tls-*}
 * options covers every connection to the deployment. Lettuce builds a context per connection from
 * {@link SslOptions}: they carry respite's settings as its customizer, and the URI asks for the
 * host name check ({@link SslVerifyMode#FULL}) unless {@code --upstream-tls-insecure} turns every
 * check off ({@link SslVerifyMode#NONE}). Immutable.
 */
public final class LettuceTls {

    /** Plain TCP: changes neither URIs nor client options. */
    public static final LettuceTls PLAIN = new LettuceTls();

    private final @Nullable SslOptions options;
    private final SslVerifyMode verify;

    private LettuceTls() {
        this.options = null;
        this.verify = SslVerifyMode.NONE;
    }

    /**
     * TLS set up by {@code settings} (respite's own, {@code insecure} or not), a handshake allowed
     * {@code timeout}.
     */
    LettuceTls(Consumer<SslContextBuilder> settings, boolean insecure, Duration timeout) {
        this.options = SslOptions.builder()
                .handshakeTimeout(timeout)
                .sslContext(settings)
                .build();
        this.verify = insecure ? SslVerifyMode.NONE : SslVerifyMode.FULL;
    }

    /** {@code uri} speaking TLS with the host name check, when this is TLS; returns it. */
    public RedisURI.Builder uri(RedisURI.Builder uri) {
        return options == null ? uri : uri.withSsl(true).withVerifyPeer(verify);
    }

    /** {@code client} with these SSL options, when this is TLS; returns it. */
    public <B extends ClientOptions.Builder> B client(B client) {
        if (options != null) {
            client.sslOptions(options);
        }
        return client;
    }
}
