package dev.ratelimiter.core.model;

import java.util.List;
import java.util.Objects;

/**
 * A lease's reservation: every requirement is held, or none is (SPEC 2.1).
 *
 * @param leaseId the client's idempotency key for this attempt
 * @param jobId optional id of the logical job, for logs only; never null (empty when absent)
 * @param requirements the limits to hold, each key at most once
 */
public record ReserveRequest(String leaseId, String jobId, List<Requirement> requirements) {
    public ReserveRequest {
        Objects.requireNonNull(leaseId, "leaseId");
        jobId = jobId == null ? "" : jobId;
        requirements = List.copyOf(requirements);
    }
}
