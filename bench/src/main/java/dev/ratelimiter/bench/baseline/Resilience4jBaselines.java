package dev.ratelimiter.bench.baseline;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;

/**
 * Resilience4j set up so that it never refuses: the benchmarks measure its admission path, as they
 * measure ours. Neither waits: a refused permit would answer at once ({@code timeoutDuration} and
 * {@code maxWaitDuration} zero), as our reserve does.
 *
 * <p>Stateless factory; the returned objects are Resilience4j's own, which are thread-safe.
 */
public final class Resilience4jBaselines {
    private Resilience4jBaselines() {}

    /** The default {@code AtomicRateLimiter} with about two billion permits a second. */
    public static RateLimiter rateLimiter() {
        RateLimiterConfig config = RateLimiterConfig.custom()
                .limitForPeriod(Integer.MAX_VALUE)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build();
        return RateLimiter.of("bench", config);
    }

    /** The default semaphore bulkhead with a million concurrent calls. */
    public static Bulkhead bulkhead() {
        BulkheadConfig config = BulkheadConfig.custom()
                .maxConcurrentCalls(1_000_000)
                .maxWaitDuration(Duration.ZERO)
                .build();
        return Bulkhead.of("bench", config);
    }
}
