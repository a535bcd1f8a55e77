package io.respite.proxy.upstream;

import java.util.List;

/**
 * What the shared connections must send so that Redis tracks the keys they read for respite
 * (server-assisted client-side caching): a {@code CLIENT TRACKING ON REDIRECT <id>} command,
 * and the epoch of the invalidation stream it belongs to. A connection that sent it in the current
 * epoch has every read it makes afterwards tracked; reads it makes before, or in an older epoch,
 * must not fill the cache.
 *
 * @param epoch the invalidation stream's epoch this setup belongs to
 * @param command the command, word by word
 */
public record TrackingSetup(int epoch, List<String> command) {

    public TrackingSetup {
        command = List.copyOf(command);
    }
}
