/**
 * Micrometer metrics of admission, published at {@code /prometheus}: outcomes per limit key,
 * reserve and complete latency, batch sizes, and the amount reserved per key. Label values are
 * bounded: a key is a label only once it exists in the registry; anything else counts as
 * {@code key="unknown"}. Nothing here calls the backend while a scrape is answered.
 *
 * <p>Depends on core's {@code service} and {@code model} packages and on Micrometer.
 */
package dev.ratelimiter.server.metrics;
