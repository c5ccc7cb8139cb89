/**
 * Running jobs under limits without head-of-line blocking: {@link dev.ratelimiter.client.scheduler.Scheduler}
 * keeps a queue per {@code provider:model}, serves the queues that are ready in round robin with a
 * bounded number of jobs in progress, reserves before each job's work and completes after it, and
 * retries denials and unknown outcomes by the rules of SPEC 7.
 *
 * <p>A job is a {@link dev.ratelimiter.client.scheduler.Job} whose
 * {@link dev.ratelimiter.client.scheduler.Work} receives its {@link dev.ratelimiter.client.scheduler.Lease}
 * and returns a {@link dev.ratelimiter.client.scheduler.WorkResult} with the actual usage; a job that
 * cannot finish fails with a {@link dev.ratelimiter.client.scheduler.JobFailedException} saying why.
 * {@link dev.ratelimiter.client.scheduler.SchedulerObserver} receives every step, for metrics.
 *
 * <p>Depends on {@code client}, {@code client.timing}, {@code core.model}, {@code core.ids} and
 * {@code core.time}.
 */
package dev.ratelimiter.client.scheduler;
