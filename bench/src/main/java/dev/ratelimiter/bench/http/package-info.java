/**
 * JMH benchmarks of ratelimiterd over real HTTP: the server runs in the benchmark's JVM on a random
 * port, and each benchmark thread talks to it over its own keep-alive connection with {@link
 * dev.ratelimiter.bench.http.KeepAliveConnection}, a minimal HTTP/1.1 client that costs as little as
 * possible, so that the scores are the server's. Depends on core, the server module and {@code
 * bench.support}.
 */
package dev.ratelimiter.bench.http;
