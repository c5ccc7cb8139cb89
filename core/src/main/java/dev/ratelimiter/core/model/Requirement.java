package dev.ratelimiter.core.model;

import java.util.Objects;

/** One limit a lease must hold: {@code amount} units of the limit named {@code key}. */
public record Requirement(String key, long amount) {
    public Requirement {
        Objects.requireNonNull(key, "key");
    }
}
