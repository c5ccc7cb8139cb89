/**
 * The LLM workload model: a seeded stream of LLM calls (realistic prompt and answer sizes and
 * durations, four models of three providers, three tenants) run through the limiter in virtual
 * time, once reserving prompt bytes and once reserving counted tokens, to measure how much of a
 * tokens-per-minute limit each way actually spends and how often the provider would have refused.
 *
 * <p>Entry point: {@link dev.ratelimiter.bench.workload.WorkloadModel} (a picocli command). Nothing
 * sleeps: the memory backend runs on a manual clock that the event loop moves. Depends on core's
 * service, memory backend and clock, the client's token counters, picocli and Jackson.
 */
package dev.ratelimiter.bench.workload;
