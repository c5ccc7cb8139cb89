package dev.ratelimiter.core.registry;

import dev.ratelimiter.core.model.LimitState;
import java.io.IOException;
import java.util.List;

/**
 * Keeps the registry: one {@link LimitState} per key. The caller serialises saves (one admin
 * change at a time); implementations must still be safe if two saves race.
 */
public interface LimitStore {

    /**
     * Reads every state, sorted by key. A missing store is an empty registry.
     *
     * @throws InvalidRegistryException when an entry breaks a rule; the message names the entry
     *     and the rule
     */
    List<LimitState> load() throws IOException;

    /**
     * Replaces the whole registry with {@code states} (sorted by key) and returns only once the
     * change is durable. On failure the previous registry is intact.
     */
    void save(List<LimitState> states) throws IOException;

    /** A human description of where the registry lives, for logs and errors. */
    String describe();
}
