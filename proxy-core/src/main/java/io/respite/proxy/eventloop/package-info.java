/**
 * Event-loop plumbing shared by the client and upstream sides: batching of flushes per loop
 * iteration. Everything here runs on, and must be called from, the event loop it belongs to.
 * Depends only on Netty.
 */
package io.respite.proxy.eventloop;
