package io.respite.proxy.coherence;

/** How respite's cache follows Redis ({@code --coherence}). */
public enum CoherenceMode {
    /**
     * Redis tells respite which keys changed (CLIENT TRACKING), so an entry is dropped as soon as
     * the key changes, whoever changed it; entries also end at the key's own expiry and at --ttl.
     */
    TRACKING,
    /**
     * Entries end at the key's own expiry and at --ttl; writes through this respite drop their
     * keys, writes made elsewhere are not seen before that.
     */
    TTL
}
