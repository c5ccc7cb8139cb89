package dev.ratelimiter.client.scheduler;

import dev.ratelimiter.core.model.Actual;
import java.util.List;

/**
 * What a job's work produced: its value, and the usage it really had, which replaces the reserved
 * upper bound on complete (reconciliation, SPEC 2.3).
 *
 * @param value the job's result, handed to the caller's future (may be null)
 * @param actuals the actual usage per key; empty when unknown (then rolling holds stay until they
 *     expire and only concurrency is released)
 */
public record WorkResult<T>(T value, List<Actual> actuals) {
    public WorkResult {
        actuals = actuals == null ? List.of() : List.copyOf(actuals);
    }

    public static <T> WorkResult<T> of(T value, List<Actual> actuals) {
        return new WorkResult<>(value, actuals);
    }

    /** A result whose usage is not known: the reservation is kept as the usage (pessimistic). */
    public static <T> WorkResult<T> withoutActuals(T value) {
        return new WorkResult<>(value, List.of());
    }
}
