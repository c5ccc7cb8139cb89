package dev.ratelimiter.client.scheduler;

/**
 * The part of a job that runs once it is admitted: typically the LLM call.
 *
 * <p>Runs on one of the scheduler's worker threads and may block. If it throws, the lease is
 * completed without actuals (the usage is unknown, so the reservation stands; SPEC 11) and the job
 * fails with {@link JobFailedException.Reason#WORK_FAILED}.
 */
@FunctionalInterface
public interface Work<T> {
    WorkResult<T> run(Lease lease) throws Exception;
}
