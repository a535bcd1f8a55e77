/**
 * JMH benchmarks of the RESP codec against Netty's codec-redis on the same bytes. One question per
 * class; each class's javadoc has the exact command that produced the figures in
 * benchmarks/README.md.
 */
package io.respite.bench.resp;
