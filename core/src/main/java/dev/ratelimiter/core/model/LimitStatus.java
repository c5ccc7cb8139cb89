package dev.ratelimiter.core.model;

import java.util.Locale;
import java.util.Optional;

/** Whether a limit admits ({@code active}) or waits for a lower capacity to fit ({@code decreasing}). */
public enum LimitStatus {
    ACTIVE,
    DECREASING;

    /** The lowercase name used on the wire and in the registry. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<LimitStatus> fromWire(String text) {
        for (LimitStatus status : values()) {
            if (status.wireName().equalsIgnoreCase(text.strip())) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
