/**
 * Coalescing of single calls into batch calls: {@link dev.ratelimiter.client.batch.Batcher} is a
 * {@link dev.ratelimiter.client.Limiter} in front of another one that gathers concurrent reserves
 * (and, separately, concurrent completes) into batches of at most 256 items or one flush interval.
 *
 * <p>Depends on {@code client}, {@code client.timing}, {@code core.model} and {@code core.time}.
 */
package dev.ratelimiter.client.batch;
