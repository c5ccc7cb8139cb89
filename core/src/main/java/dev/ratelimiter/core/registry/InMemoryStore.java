package dev.ratelimiter.core.registry;

import dev.ratelimiter.core.model.LimitState;
import java.util.List;

/**
 * A registry that lives only as long as the process: for tests, and for a local limiter that was
 * given its limits in code. Thread-safe: the whole list is one volatile immutable reference.
 */
public final class InMemoryStore implements LimitStore {
    private volatile List<LimitState> states;

    public InMemoryStore() {
        this(List.of());
    }

    public InMemoryStore(List<LimitState> initial) {
        this.states = List.copyOf(initial);
    }

    @Override
    public List<LimitState> load() {
        return states;
    }

    @Override
    public void save(List<LimitState> newStates) {
        this.states = List.copyOf(newStates);
    }

    @Override
    public String describe() {
        return "in-memory registry";
    }
}
