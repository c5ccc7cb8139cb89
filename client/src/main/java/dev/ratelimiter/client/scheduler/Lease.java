package dev.ratelimiter.client.scheduler;

/**
 * The admission a job's work runs under.
 *
 * @param leaseId the lease that holds the job's requirements now
 * @param jobId the job's id ("" when it has none)
 * @param reservedAtUnixMs when the holds were taken, by the limiter's clock
 * @param attempt which reserve attempt was admitted (from 1)
 */
public record Lease(String leaseId, String jobId, long reservedAtUnixMs, int attempt) {}
