/** JMH benchmarks of admission control: what a request pays for the rate limits. */
package io.respite.bench.admission;
