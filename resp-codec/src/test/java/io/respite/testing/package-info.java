/**
 * Test harness shared by every module through resp-codec's test-jar: real {@code redis-server}
 * processes on loopback ({@link io.respite.testing.RedisExtension}), an independent blocking RESP
 * client for raw reply bytes ({@link io.respite.testing.RespTestClient}), and the leak check that
 * turns a Netty leak report into a test failure ({@link io.respite.testing.LeakCheckExtension}).
 *
 * <p>Depends on nothing of respite's main code, so that tests of the codec can use it as an
 * independent witness. Never mocks Redis; never kills a process it did not start.
 */
package io.respite.testing;
