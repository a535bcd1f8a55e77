/**
 * Logging helpers for events that a client can cause at will (a disconnection for an output
 * limit, a cross-protocol attempt): such lines are rate limited, so that no client can flood the
 * log. Thread-safe. Depends only on the JDK.
 */
package io.respite.proxy.logging;
