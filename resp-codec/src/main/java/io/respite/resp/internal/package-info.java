/**
 * Byte-level helpers of the codec that are not part of its API: strict ASCII integer parsing and
 * formatting, CRLF constants. Stateless; safe from any thread. Must not depend on the codec's
 * handlers.
 */
package io.respite.resp.internal;
