/**
 * JMH benchmarks of the client library in process: the scheduler on the local limiter, beside an
 * executor guarded by Bucket4j. Depends on core, the client library and {@code bench.baseline}.
 */
package dev.ratelimiter.bench.client;
