package dev.ratelimiter.core.service;

import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.registry.LimitStore;
import java.io.IOException;
import java.util.List;

/**
 * An in-memory registry that fails its saves when told to and logs them in the event log it
 * shares with {@link ScriptedBackend}. Not thread-safe; the service tests call it from one thread.
 */
final class FailingStore implements LimitStore {
    private final List<String> events;
    List<LimitState> saved;
    boolean failSaves;
    int saves;

    FailingStore(List<String> events, List<LimitState> initial) {
        this.events = events;
        this.saved = List.copyOf(initial);
    }

    @Override
    public List<LimitState> load() {
        return saved;
    }

    @Override
    public void save(List<LimitState> states) throws IOException {
        events.add("save " + states.size());
        if (failSaves) {
            throw new IOException("scripted: disk full");
        }
        saves++;
        saved = List.copyOf(states);
    }

    @Override
    public String describe() {
        return "scripted store";
    }
}
