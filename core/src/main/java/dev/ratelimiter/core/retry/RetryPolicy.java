package dev.ratelimiter.core.retry;

import dev.ratelimiter.core.settings.Bounds;

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

    public static final RetryPolicy DEFAULT =
            new RetryPolicy(50, 2.0, 2000, 25, 100, 10, 1.5, 5000, 50, 10_000, 10_000);

    private static final long HOUR_MS = 3_600_000;

    public RetryPolicy {
        Bounds.require("concurrencyBaseMs", concurrencyBaseMs, 1, HOUR_MS);
        // A factor below 1 would shrink the hint per denial.
        Bounds.require("concurrencyFactor", concurrencyFactor, 1.0, 10.0);
        Bounds.require("concurrencyMaxMs", concurrencyMaxMs, 1, HOUR_MS);
        Bounds.require("concurrencyJitterMs", concurrencyJitterMs, 0, HOUR_MS);
        Bounds.require("rollingMinBaseMs", rollingMinBaseMs, 1, HOUR_MS);
        Bounds.require("rollingBaseWindowPercent", rollingBaseWindowPercent, 0, 100);
        Bounds.require("rollingFactor", rollingFactor, 1.0, 10.0);
        Bounds.require("rollingCapMs", rollingCapMs, 1, HOUR_MS);
        Bounds.require("rollingJitterMs", rollingJitterMs, 0, HOUR_MS);
        Bounds.require("decreasingMs", decreasingMs, 1, HOUR_MS);
        Bounds.require("streakDecayMs", streakDecayMs, 1, 24 * HOUR_MS);
    }
}
