/**
 * Micrometer metrics of admission, published at {@code /prometheus}: outcomes per limit key,
 * reserve and complete latency, batch sizes, and the amount reserved per key. Label values are
 * bounded: a key is a label only once it exists in the registry; anything else counts as
 * {@code key="unknown key"}. Nothing here calls the backend while a scrape is answered. Beside
 * them, {@link dev.ratelimiter.server.metrics.AdmissionActivity} keeps the last five minutes of
 * outcomes per key label in memory, for the dashboard.
 *
 * <p>Depends on core's {@code service} and {@code model} packages and on Micrometer.
 */
package dev.ratelimiter.server.metrics;
