package dev.ratelimiter.server.config;

import static dev.ratelimiter.server.config.InvalidSettingException.requireRange;

import dev.ratelimiter.core.retry.RetryPolicy;
import io.micronaut.context.annotation.ConfigurationProperties;

/**
 * The retry-after policy of SPEC 6, bound to {@code ratelimiter.retry.*}: one setting per field of
 * core's {@link RetryPolicy}, with the same bounds. Immutable and thread-safe.
 */
@ConfigurationProperties("ratelimiter.retry")
public record RetrySettings(
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

    private static final long HOUR_MS = 3_600_000;

    public RetrySettings {
        requireRange("ratelimiter.retry.concurrency-base-ms", concurrencyBaseMs, 1, HOUR_MS);
        requireRange("ratelimiter.retry.concurrency-factor", concurrencyFactor, 1.0, 10.0);
        requireRange("ratelimiter.retry.concurrency-max-ms", concurrencyMaxMs, 1, HOUR_MS);
        requireRange("ratelimiter.retry.concurrency-jitter-ms", concurrencyJitterMs, 0, HOUR_MS);
        requireRange("ratelimiter.retry.rolling-min-base-ms", rollingMinBaseMs, 1, HOUR_MS);
        requireRange("ratelimiter.retry.rolling-base-window-percent", rollingBaseWindowPercent, 0, 100);
        requireRange("ratelimiter.retry.rolling-factor", rollingFactor, 1.0, 10.0);
        requireRange("ratelimiter.retry.rolling-cap-ms", rollingCapMs, 1, HOUR_MS);
        requireRange("ratelimiter.retry.rolling-jitter-ms", rollingJitterMs, 0, HOUR_MS);
        requireRange("ratelimiter.retry.decreasing-ms", decreasingMs, 1, HOUR_MS);
        requireRange("ratelimiter.retry.streak-decay-ms", streakDecayMs, 1, 24 * HOUR_MS);
    }

    /** Core's policy with these values. */
    public RetryPolicy toPolicy() {
        return new RetryPolicy(concurrencyBaseMs, concurrencyFactor, concurrencyMaxMs, concurrencyJitterMs,
                rollingMinBaseMs, rollingBaseWindowPercent, rollingFactor, rollingCapMs, rollingJitterMs,
                decreasingMs, streakDecayMs);
    }
}
