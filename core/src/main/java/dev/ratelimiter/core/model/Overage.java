package dev.ratelimiter.core.model;

import java.util.Locale;
import java.util.Optional;

/** What happens to usage above the reserved amount that does not fit: recorded as debt, or dropped. */
public enum Overage {
    DENY,
    DEBT;

    /** The lowercase name used on the wire and in the registry. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Matches case-insensitively after trimming, as the admin API requires. */
    public static Optional<Overage> fromWire(String text) {
        for (Overage overage : values()) {
            if (overage.wireName().equalsIgnoreCase(text.strip())) {
                return Optional.of(overage);
            }
        }
        return Optional.empty();
    }
}
