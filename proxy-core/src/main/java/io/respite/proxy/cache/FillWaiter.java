package io.respite.proxy.cache;

/**
 * A miss that joined the fill already in flight for its key instead of reading upstream itself
 * (single-flight): told once, with what the first fill of the flight brought, or that it brought
 * nothing usable. Called on the thread that completes that fill, after the stripe lock is
 * released; an implementation that belongs to another thread must hand the outcome over itself.
 */
public interface FillWaiter {

    /**
     * The first fill's read brought {@code reply}: the array it gave the cache (whether or not it
     * was kept), or the reply it abandoned without caching. Not to be mutated.
     */
    void filled(byte[] reply);

    /** The first fill's read brought no reply (its connection failed): read the key yourself. */
    void failed();
}
