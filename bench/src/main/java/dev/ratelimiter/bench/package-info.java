/**
 * Benchmarks of the limiter and the load generator.
 *
 * <p>Every JMH class measures one of our operations beside the operation a user would otherwise
 * pick (Bucket4j, Resilience4j, or the server's cheapest endpoint), in the same run, so that the
 * numbers are read as ratios rather than as absolute speeds of one machine. Sub-packages: {@code
 * support} (clock, limits, lease ids shared by the benchmarks), {@code baseline} (the other
 * libraries set up as the closest equivalent of our operations), {@code memory} (the memory
 * backend, its journal included), {@code recovery} (the start-time measurement with a million holds), {@code codec} (the wire codec
 * alone), {@code loadtest} (the load generator and the HTTP client transport comparison). Nothing in the project depends on this package.
 */
package dev.ratelimiter.bench;
