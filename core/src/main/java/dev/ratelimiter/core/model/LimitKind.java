package dev.ratelimiter.core.model;

import java.util.Locale;
import java.util.Optional;

/** How a limit's capacity returns: after a window (rolling) or when the lease ends (concurrency). */
public enum LimitKind {
    ROLLING,
    CONCURRENCY;

    /** The lowercase name used on the wire and in the registry. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Matches case-insensitively after trimming, as the admin API requires. */
    public static Optional<LimitKind> fromWire(String text) {
        for (LimitKind kind : values()) {
            if (kind.wireName().equalsIgnoreCase(text.strip())) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
