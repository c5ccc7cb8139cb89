/**
 * A randomized LLM-shaped workload that drives any limiter and records what it saw: several
 * providers and tenants, random prompt sizes and output bounds, random work durations, actual usage
 * at or below the reserved bound, some work that fails (complete without actuals) and some leases
 * never completed. Workers record every admission in an
 * {@link dev.ratelimiter.testkit.invariants.AdmissionLog} and count holds in flight with a
 * {@link dev.ratelimiter.testkit.invariants.ConcurrencyChecker}; a
 * {@link dev.ratelimiter.chaos.workload.LimiterTarget} hides whether the limiter runs in process,
 * behind raw HTTP, or behind the project's Java client.
 *
 * <p>Depends on {@code core.model}, {@code core.llm}, the testkit's {@code invariants}, {@code core.time},
 * {@code core.service} and the client's {@code Limiter}.
 */
package dev.ratelimiter.chaos.workload;
