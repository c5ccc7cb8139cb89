package dev.ratelimiter.chaos.workload;

/**
 * How one worker of a {@link WorkloadRun} behaves. Times are on the run's clock (a manual clock in
 * process, the system clock over HTTP).
 *
 * @param maxOpenLeases leases a worker holds at once at most (its calls in flight)
 * @param workMillisMin the shortest work between reserve and complete
 * @param workMillisMax the longest work; keep it below the concurrency timeout, or holds expire
 *     while the work runs (which the checkers allow, but then test less)
 * @param abandonPercent leases never completed, in percent
 * @param failedWorkPercent completes sent without actuals (the work failed), in percent
 * @param denialPauseMillisMax after a denial, the worker waits a random time up to the smaller of
 *     this and the hint before it reserves again
 * @param reserveAttempts attempts of one lease id when a reserve gets no answer (at least 1)
 * @param completeAttempts attempts of a complete that gets no answer or a backend error (at least 1)
 * @param retryPauseMillis the pause before such a retry, and after a backend error
 */
public record WorkerSettings(
        int maxOpenLeases,
        long workMillisMin,
        long workMillisMax,
        int abandonPercent,
        int failedWorkPercent,
        long denialPauseMillisMax,
        int reserveAttempts,
        int completeAttempts,
        long retryPauseMillis) {

    public WorkerSettings {
        if (maxOpenLeases < 1 || reserveAttempts < 1 || completeAttempts < 1) {
            throw new IllegalArgumentException(
                    "maxOpenLeases, reserveAttempts and completeAttempts must be at least 1");
        }
        if (workMillisMin < 0 || workMillisMax < workMillisMin) {
            throw new IllegalArgumentException(
                    "need 0 <= workMillisMin <= workMillisMax, got " + workMillisMin + " and " + workMillisMax);
        }
        if (abandonPercent < 0 || failedWorkPercent < 0 || abandonPercent + failedWorkPercent > 100) {
            throw new IllegalArgumentException(
                    "abandonPercent and failedWorkPercent must be percentages summing to" + " at most 100");
        }
        if (denialPauseMillisMax < 0 || retryPauseMillis < 0) {
            throw new IllegalArgumentException("pauses must not be negative");
        }
    }
}
