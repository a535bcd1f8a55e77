/**
 * Logging: {@link io.respite.proxy.logging.LogSetup} points Logback, behind SLF4J, at standard
 * error as text or JSON; {@link io.respite.proxy.logging.RateLimitedLog} writes events a client
 * can cause at will (a disconnection for an output limit, a cross-protocol attempt, a slow
 * command) at most once per period, so that no client can flood the log. Thread-safe. Depends on
 * the JDK, SLF4J and Logback only.
 */
package io.respite.proxy.logging;
