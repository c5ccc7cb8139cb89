package dev.ratelimiter.server.config;

import dev.ratelimiter.core.retry.RetryPolicy;
import io.micronaut.context.annotation.ConfigurationProperties;
import java.util.Map;

/**
 * The retry-after policy of SPEC 6, bound to {@code ratelimiter.retry.*}: one setting per field of
 * core's {@link RetryPolicy}, whose bounds it reports under these property names. Immutable and thread-safe.
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

    public RetrySettings {
        // The bounds are RetryPolicy's, reported under this section's property names.
        InvalidSettingException.fromCore(
                "ratelimiter.retry",
                Map.of(),
                () -> new RetryPolicy(
                        concurrencyBaseMs,
                        concurrencyFactor,
                        concurrencyMaxMs,
                        concurrencyJitterMs,
                        rollingMinBaseMs,
                        rollingBaseWindowPercent,
                        rollingFactor,
                        rollingCapMs,
                        rollingJitterMs,
                        decreasingMs,
                        streakDecayMs));
    }

    /** Core's policy with these values. */
    public RetryPolicy toPolicy() {
        return new RetryPolicy(
                concurrencyBaseMs,
                concurrencyFactor,
                concurrencyMaxMs,
                concurrencyJitterMs,
                rollingMinBaseMs,
                rollingBaseWindowPercent,
                rollingFactor,
                rollingCapMs,
                rollingJitterMs,
                decreasingMs,
                streakDecayMs);
    }
}
