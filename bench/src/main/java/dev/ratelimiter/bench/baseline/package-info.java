/**
 * The libraries a user would otherwise pick, set up as the closest equivalent of our operations.
 *
 * <p>Bucket4j has token buckets and no leases: a multi-key reservation is a sequence of
 * {@code tryConsume} calls with compensation ({@code addTokens}) when a later bucket refuses, a
 * concurrency slot is a bucket that never refills and gets its token back on release, and
 * reconciliation is {@code addTokens} of the difference. Resilience4j offers one permit at a time
 * ({@code RateLimiter}) and a semaphore ({@code Bulkhead}). Depends on Bucket4j, Resilience4j and
 * {@code bench.support}.
 */
package dev.ratelimiter.bench.baseline;
