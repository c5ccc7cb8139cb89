/**
 * Retry-after hints for denials (SPEC 6): the configurable {@link dev.ratelimiter.core.retry.RetryPolicy}
 * and {@link dev.ratelimiter.core.retry.RetryHints}, which keeps a bounded, decaying denial streak per key.
 * Both backends use the same hints. Depends on {@code core.model}, {@code core.settings} and {@code core.time}.
 */
package dev.ratelimiter.core.retry;
