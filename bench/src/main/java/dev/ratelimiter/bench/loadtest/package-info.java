/**
 * The load generator: a closed loop of worker threads that reserve and complete leases for LLM calls
 * against a limiter (the server over HTTP, or the local limiter in process) for a fixed duration,
 * and report throughput, latency percentiles, outcomes and batch sizes as text, JSON and a
 * self-contained HTML page.
 *
 * <p>Entry point: {@link dev.ratelimiter.bench.loadtest.LoadTest} (a picocli command). The driver
 * talks to a {@link dev.ratelimiter.bench.loadtest.LoadTarget}, so that the loop, the statistics and
 * the reports know nothing of HTTP.
 *
 * <p>{@link dev.ratelimiter.bench.loadtest.TransportComparison} runs the same loop for the HTTP
 * limiter on each candidate transport (its own, {@code ApacheHttpTransport}, {@code
 * JdkHttpTransport}) beside the raw keep-alive client, and the batcher beside no batcher,
 * interleaved in rounds.
 *
 * <p>Depends on core, the client library, picocli, HdrHistogram, Jackson, and Apache HttpClient 5
 * (only for the transport comparison).
 */
package dev.ratelimiter.bench.loadtest;
