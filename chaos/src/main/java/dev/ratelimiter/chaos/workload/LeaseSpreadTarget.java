package dev.ratelimiter.chaos.workload;

import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.ReserveRequest;
import java.util.List;

/**
 * Several limiters behind one target, as several server instances behind a load balancer with
 * lease affinity: each lease goes to the instance its id hashes to, for its reserve and its
 * complete alike (an instance completes only the leases it reserved; another would answer ok and
 * leave the holds to expire). Every admission of every instance lands in the one workload's log, so
 * the verifier checks them together. Thread-safe when the targets are.
 */
public final class LeaseSpreadTarget implements LimiterTarget {
    private final List<LimiterTarget> targets;

    public LeaseSpreadTarget(List<? extends LimiterTarget> targets) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("at least one target is needed");
        }
        this.targets = List.copyOf(targets);
    }

    @Override
    public ReserveResult reserve(ReserveRequest request) {
        return targetOf(request.leaseId()).reserve(request);
    }

    @Override
    public CompleteResult complete(CompleteRequest request) {
        return targetOf(request.leaseId()).complete(request);
    }

    private LimiterTarget targetOf(String leaseId) {
        return targets.get(Math.floorMod(leaseId.hashCode(), targets.size()));
    }
}
