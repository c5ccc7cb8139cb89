/**
 * JMH benchmarks of the memory backend (SPEC 5.1), each beside its Bucket4j or Resilience4j
 * baseline in the same class, so that one run measures both on the same machine at the same time.
 * Depends on core, {@code bench.support} and {@code bench.baseline}.
 */
package dev.ratelimiter.bench.memory;
