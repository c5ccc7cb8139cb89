/**
 * Benchmarks of the wire codec alone, in process: what the server spends decoding and encoding a
 * batch, beside Jackson's tree model as the baseline.
 *
 * <p>Depends on {@code core.wire}, {@code core.model}, {@code bench.support}, Jackson and JMH.
 */
package dev.ratelimiter.bench.codec;
