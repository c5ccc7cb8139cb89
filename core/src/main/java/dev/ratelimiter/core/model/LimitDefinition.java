package dev.ratelimiter.core.model;

import java.util.Objects;

/**
 * Key, kind, capacity and timing of one limit, as an admin sets it (SPEC 3, LimitDefinition).
 *
 * <p>A rolling limit has {@code windowSeconds >= 1} and {@code timeoutSeconds == 0}; a concurrency
 * limit the reverse. The rules are checked by {@link dev.ratelimiter.core.wire.RequestValidator}.
 */
public record LimitDefinition(
        String key,
        LimitKind kind,
        long capacity,
        long windowSeconds,
        long timeoutSeconds,
        String unit,
        String description,
        Overage overage) {

    public LimitDefinition {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        unit = unit == null ? "" : unit;
        description = description == null ? "" : description;
        overage = overage == null ? Overage.DEBT : overage;
    }

    public static LimitDefinition rolling(String key, long capacity, long windowSeconds) {
        return new LimitDefinition(key, LimitKind.ROLLING, capacity, windowSeconds, 0, "", "", Overage.DEBT);
    }

    public static LimitDefinition concurrency(String key, long capacity, long timeoutSeconds) {
        return new LimitDefinition(key, LimitKind.CONCURRENCY, capacity, 0, timeoutSeconds, "", "", Overage.DEBT);
    }

    /** How long a hold of this limit lasts at most, in milliseconds: the window or the timeout. */
    public long holdMillis() {
        long seconds = kind == LimitKind.ROLLING ? windowSeconds : timeoutSeconds;
        return Math.multiplyExact(seconds, 1000L);
    }

    public LimitDefinition withCapacity(long newCapacity) {
        return new LimitDefinition(key, kind, newCapacity, windowSeconds, timeoutSeconds, unit, description, overage);
    }

    public LimitDefinition withOverage(Overage newOverage) {
        return new LimitDefinition(key, kind, capacity, windowSeconds, timeoutSeconds, unit, description, newOverage);
    }
}
