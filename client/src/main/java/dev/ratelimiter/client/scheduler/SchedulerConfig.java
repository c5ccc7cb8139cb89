package dev.ratelimiter.client.scheduler;

import dev.ratelimiter.client.timing.Backoff;
import dev.ratelimiter.core.settings.Bounds;
import java.util.Objects;

/**
 * How a {@link Scheduler} runs jobs. Immutable.
 *
 * @param maxConcurrentJobs most jobs between dispatch and the end of their complete at once; also
 *     the number of worker threads when the scheduler makes its own pool (default 32)
 * @param maxQueuedJobs most jobs waiting in all queues together; {@link Scheduler#submit} refuses
 *     more (default 10000)
 * @param denialJitterMs largest random delay added to a denial's {@code retry_after_ms}, so that
 *     denied jobs do not return in lockstep (default 25)
 * @param unknownOutcomeBackoff delays before retrying a reserve whose outcome was unknown
 *     (default {@link Backoff#DEFAULT})
 * @param completeTimeoutMs budget of each complete, counted from the end of the work (default 10000)
 * @param defaultMaxAttempts reserve attempts of a job that sets no limit of its own (default 1000)
 * @param closeTimeoutMs how long {@link Scheduler#close()} waits for jobs in progress (default 30000)
 * @param initialQueueWindow jobs one queue may have in progress before its first admissions widen
 *     its window (default 4; capped at {@code maxConcurrentJobs})
 * @param maxUnknownOutcomes consecutive reserves without a definitive answer after which a job fails
 *     with {@link JobFailedException.Reason#LIMITER_FAILED} (default 5); with the HTTP limiter each
 *     of them already retried for its deadline or call budget, so this bounds how long a job keeps
 *     trying while the server is unreachable
 */
public record SchedulerConfig(
        int maxConcurrentJobs,
        int maxQueuedJobs,
        long denialJitterMs,
        Backoff unknownOutcomeBackoff,
        long completeTimeoutMs,
        int defaultMaxAttempts,
        long closeTimeoutMs,
        int initialQueueWindow,
        int maxUnknownOutcomes) {

    public static final SchedulerConfig DEFAULT =
            new SchedulerConfig(32, 10_000, 25, Backoff.DEFAULT, 10_000, 1_000, 30_000, 4, 5);

    public SchedulerConfig {
        Objects.requireNonNull(unknownOutcomeBackoff, "unknownOutcomeBackoff");
        Bounds.require("maxConcurrentJobs", maxConcurrentJobs, 1, 10_000);
        Bounds.require("maxQueuedJobs", maxQueuedJobs, 1, 10_000_000);
        Bounds.require("denialJitterMs", denialJitterMs, 0, 3_600_000);
        Bounds.require("completeTimeoutMs", completeTimeoutMs, 1, 3_600_000);
        Bounds.require("defaultMaxAttempts", defaultMaxAttempts, 1, 1_000_000);
        Bounds.require("closeTimeoutMs", closeTimeoutMs, 0, 3_600_000);
        Bounds.require("initialQueueWindow", initialQueueWindow, 1, 10_000);
        Bounds.require("maxUnknownOutcomes", maxUnknownOutcomes, 1, 1_000_000);
    }

    public SchedulerConfig withMaxConcurrentJobs(int newMaxConcurrentJobs) {
        return new SchedulerConfig(
                newMaxConcurrentJobs,
                maxQueuedJobs,
                denialJitterMs,
                unknownOutcomeBackoff,
                completeTimeoutMs,
                defaultMaxAttempts,
                closeTimeoutMs,
                initialQueueWindow,
                maxUnknownOutcomes);
    }

    public SchedulerConfig withMaxQueuedJobs(int newMaxQueuedJobs) {
        return new SchedulerConfig(
                maxConcurrentJobs,
                newMaxQueuedJobs,
                denialJitterMs,
                unknownOutcomeBackoff,
                completeTimeoutMs,
                defaultMaxAttempts,
                closeTimeoutMs,
                initialQueueWindow,
                maxUnknownOutcomes);
    }

    public SchedulerConfig withDenialJitterMs(long newDenialJitterMs) {
        return new SchedulerConfig(
                maxConcurrentJobs,
                maxQueuedJobs,
                newDenialJitterMs,
                unknownOutcomeBackoff,
                completeTimeoutMs,
                defaultMaxAttempts,
                closeTimeoutMs,
                initialQueueWindow,
                maxUnknownOutcomes);
    }

    public SchedulerConfig withUnknownOutcomeBackoff(Backoff newBackoff) {
        return new SchedulerConfig(
                maxConcurrentJobs,
                maxQueuedJobs,
                denialJitterMs,
                newBackoff,
                completeTimeoutMs,
                defaultMaxAttempts,
                closeTimeoutMs,
                initialQueueWindow,
                maxUnknownOutcomes);
    }

    public SchedulerConfig withDefaultMaxAttempts(int newDefaultMaxAttempts) {
        return new SchedulerConfig(
                maxConcurrentJobs,
                maxQueuedJobs,
                denialJitterMs,
                unknownOutcomeBackoff,
                completeTimeoutMs,
                newDefaultMaxAttempts,
                closeTimeoutMs,
                initialQueueWindow,
                maxUnknownOutcomes);
    }

    public SchedulerConfig withInitialQueueWindow(int newInitialQueueWindow) {
        return new SchedulerConfig(
                maxConcurrentJobs,
                maxQueuedJobs,
                denialJitterMs,
                unknownOutcomeBackoff,
                completeTimeoutMs,
                defaultMaxAttempts,
                closeTimeoutMs,
                newInitialQueueWindow,
                maxUnknownOutcomes);
    }

    public SchedulerConfig withMaxUnknownOutcomes(int newMaxUnknownOutcomes) {
        return new SchedulerConfig(
                maxConcurrentJobs,
                maxQueuedJobs,
                denialJitterMs,
                unknownOutcomeBackoff,
                completeTimeoutMs,
                defaultMaxAttempts,
                closeTimeoutMs,
                initialQueueWindow,
                newMaxUnknownOutcomes);
    }
}
