package dev.ratelimiter.core.retry;

/**
 * How long a denied client should wait before trying again (SPEC 6). Hint = {@code min(cap,
 * base * factor^streak)} plus a random jitter in {@code [0, jitterMs]}.
 *
 * @param concurrencyBaseMs first hint for a concurrency limit (default 50)
 * @param concurrencyFactor growth per consecutive denial (default 2.0)
 * @param concurrencyMaxMs cap for a concurrency limit, further capped at its timeout (default 2000)
 * @param concurrencyJitterMs largest jitter for a concurrency limit (default 25)
 * @param rollingMinBaseMs smallest base for a rolling limit (default 100)
 * @param rollingBaseWindowPercent base as a share of the window, in percent (default 10)
 * @param rollingFactor growth per consecutive denial (default 1.5)
 * @param rollingCapMs cap for a rolling limit (default 5000)
 * @param rollingJitterMs largest jitter for a rolling limit (default 50)
 * @param decreasingMs fixed hint while a key is decreasing (default 10000)
 * @param streakDecayMs a streak is forgotten after this long without a denial (default 10000)
 */
public record RetryPolicy(
        long concurrencyBaseMs,
        double concurrencyFactor,
        long concurrencyMaxMs,
        long concurrencyJitterMs,
        long rollingMinBaseMs,
        long rollingBaseWindowPercent,
        double rollingFactor,
        long rollingCapMs,
        long rollingJitterMs,
        long decreasingMs,
        long streakDecayMs) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(50, 2.0, 2000, 25, 100, 10, 1.5, 5000, 50, 10_000, 10_000);

    public RetryPolicy {
        requireRange("concurrencyBaseMs", concurrencyBaseMs, 1, 3_600_000);
        requireRange("concurrencyMaxMs", concurrencyMaxMs, 1, 3_600_000);
        requireRange("concurrencyJitterMs", concurrencyJitterMs, 0, 3_600_000);
        requireRange("rollingMinBaseMs", rollingMinBaseMs, 1, 3_600_000);
        requireRange("rollingBaseWindowPercent", rollingBaseWindowPercent, 0, 100);
        requireRange("rollingCapMs", rollingCapMs, 1, 3_600_000);
        requireRange("rollingJitterMs", rollingJitterMs, 0, 3_600_000);
        requireRange("decreasingMs", decreasingMs, 1, 3_600_000);
        requireRange("streakDecayMs", streakDecayMs, 1, 86_400_000);
        requireFactor("concurrencyFactor", concurrencyFactor);
        requireFactor("rollingFactor", rollingFactor);
    }

    /** A factor below 1 would shrink the hint per denial; NaN fails the range check too. */
    private static void requireFactor(String name, double value) {
        if (!(value >= 1.0 && value <= 10.0)) {
            throw new IllegalArgumentException(name + " must be from 1.0 to 10.0, got " + value);
        }
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be from " + min + " to " + max + ", got " + value);
        }
    }
}
