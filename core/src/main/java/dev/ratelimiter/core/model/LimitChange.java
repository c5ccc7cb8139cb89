package dev.ratelimiter.core.model;

import java.util.Objects;
import java.util.Optional;

/**
 * One admin change of a key once it is durable: the state it replaced (none for a new key) and the
 * state now in force. What an audit record of the change shows.
 *
 * @param previous the state before the change; empty when the change created the key
 * @param current the state saved by the change
 */
public record LimitChange(Optional<LimitState> previous, LimitState current) {

    public LimitChange {
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(current, "current");
        if (previous.isPresent() && !previous.get().key().equals(current.key())) {
            throw new IllegalArgumentException("a change must name the same key before and after");
        }
    }

    public String key() {
        return current.key();
    }
}
