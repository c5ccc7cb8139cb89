package dev.ratelimiter.core.model;

import java.util.Objects;

/** What the admin API shows for one key: its state and its current usage (SPEC 3, LimitInfo). */
public record LimitInfo(LimitDefinition definition, LimitStatus status, long pendingDecreaseTo, Usage usage) {
    public LimitInfo {
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(usage, "usage");
    }

    public static LimitInfo of(LimitState state, Usage usage) {
        return new LimitInfo(state.definition(), state.status(), state.pendingDecreaseTo(), usage);
    }
}
