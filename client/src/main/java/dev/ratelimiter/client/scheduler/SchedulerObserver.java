package dev.ratelimiter.client.scheduler;

/**
 * Hooks for metrics and logs: called at every step of a job. Every method has an empty default.
 *
 * <p>Called from the scheduler's threads (workers, the timer, limiter callbacks) and never under the
 * scheduler's lock; must be thread-safe and quick. An exception thrown by a hook is logged and
 * otherwise ignored.
 */
public interface SchedulerObserver {
    /** Observes nothing. */
    SchedulerObserver NONE = new SchedulerObserver() {};

    default void submitted(Job<?> job) {}

    /** A reserve is sent for the job; {@code attempt} counts from 1. */
    default void reserving(Job<?> job, String leaseId, int attempt) {}

    /** The job was admitted; {@code waitedMs} runs from its submission. */
    default void admitted(Job<?> job, String leaseId, int attempt, long waitedMs) {}

    /** A denial for capacity (or a decreasing key); {@code error} is "" or {@code limit_decreasing:<key>}. */
    default void denied(Job<?> job, String leaseId, long retryAfterMs, String error) {}

    /** A reserve ended without a definitive answer; the lease will be retried or released. */
    default void outcomeUnknown(Job<?> job, String leaseId, Throwable cause) {}

    /** The job's lease was completed; {@code ok} is false when the complete did not succeed. */
    default void completed(Job<?> job, String leaseId, boolean ok) {}

    /** The job's future got its value; {@code totalMs} runs from its submission. */
    default void succeeded(Job<?> job, long totalMs) {}

    default void failed(Job<?> job, JobFailedException failure) {}
}
