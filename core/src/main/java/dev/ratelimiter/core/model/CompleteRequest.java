package dev.ratelimiter.core.model;

import java.util.List;
import java.util.Objects;

/**
 * The end of a lease (SPEC 2.3).
 *
 * @param leaseId the lease to complete
 * @param jobId optional id of the logical job, for logs only; never null (empty when absent)
 * @param actuals the real usage per key; empty when unknown (then only concurrency is released)
 */
public record CompleteRequest(String leaseId, String jobId, List<Actual> actuals) {
    public CompleteRequest {
        Objects.requireNonNull(leaseId, "leaseId");
        jobId = jobId == null ? "" : jobId;
        actuals = actuals == null ? List.of() : List.copyOf(actuals);
    }
}
