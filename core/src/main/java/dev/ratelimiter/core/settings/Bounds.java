package dev.ratelimiter.core.settings;

import java.time.Duration;

/**
 * Checks a setting against its bounds; a value outside them is a {@link SettingOutOfBoundsException}
 * naming the field. Each settings record calls these in its constructor, next to the field, so a
 * bound is written once. Stateless.
 */
public final class Bounds {
    private Bounds() {}

    public static long require(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new SettingOutOfBoundsException(field, "must be from " + min + " to " + max + ", got " + value);
        }
        return value;
    }

    public static int require(String field, int value, int min, int max) {
        return (int) require(field, (long) value, min, max);
    }

    /** NaN is outside every range. */
    public static double require(String field, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new SettingOutOfBoundsException(field, "must be from " + min + " to " + max + ", got " + value);
        }
        return value;
    }

    public static Duration require(String field, Duration value, Duration min, Duration max) {
        if (value == null) {
            throw new SettingOutOfBoundsException(field, "must be given");
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new SettingOutOfBoundsException(
                    field, "must be from " + words(min) + " to " + words(max) + ", got " + words(value));
        }
        return value;
    }

    /** A duration as an operator writes it: {@code 0}, {@code 1 s}, {@code 10 min}, {@code 500 us}. */
    static String words(Duration duration) {
        if (duration.isZero()) {
            return "0";
        }
        long nanos;
        try {
            nanos = duration.toNanos();
        } catch (ArithmeticException e) {
            return duration.toSeconds() + " s";
        }
        long[] sizes = {60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
        String[] units = {"min", "s", "ms", "us"};
        for (int i = 0; i < sizes.length; i++) {
            if (nanos % sizes[i] == 0) {
                return nanos / sizes[i] + " " + units[i];
            }
        }
        return nanos + " ns";
    }

    public static <T> T requireGiven(String field, T value) {
        if (value == null) {
            throw new SettingOutOfBoundsException(field, "must be given");
        }
        return value;
    }
}
