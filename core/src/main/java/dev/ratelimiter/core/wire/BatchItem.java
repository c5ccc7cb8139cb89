package dev.ratelimiter.core.wire;

import java.util.Objects;

/**
 * One slot of a decoded batch: either a value, or the detail of why that item is malformed
 * (the item then gets {@code invalid_request} in its slot while the others are processed).
 */
public record BatchItem<T>(T value, String invalidDetail) {
    public BatchItem {
        if ((value == null) == (invalidDetail == null)) {
            throw new IllegalArgumentException("a batch item is either a value or invalid");
        }
    }

    public static <T> BatchItem<T> of(T value) {
        return new BatchItem<>(Objects.requireNonNull(value), null);
    }

    public static <T> BatchItem<T> invalid(String detail) {
        return new BatchItem<>(null, Objects.requireNonNull(detail));
    }

    public boolean isValid() {
        return value != null;
    }
}
