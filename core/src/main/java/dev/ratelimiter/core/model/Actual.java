package dev.ratelimiter.core.model;

import java.util.Objects;

/** The usage a lease really had of one limit, reported on complete (reconciliation). */
public record Actual(String key, long actualAmount) {
    public Actual {
        Objects.requireNonNull(key, "key");
    }
}
