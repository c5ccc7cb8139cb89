package dev.ratelimiter.client.timing;

import dev.ratelimiter.core.settings.Bounds;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Bounded exponential backoff for retries whose outcome was unknown: the delay before retry
 * {@code n} (from 0) is {@code min(capMs, baseMs * factor^n)} plus a jitter in {@code [0, jitterMs]}.
 * Immutable and thread-safe.
 *
 * @param baseMs delay before the first retry (at least 1)
 * @param factor growth per retry, from 1.0 to 10.0
 * @param capMs largest delay before jitter (at least {@code baseMs})
 * @param jitterMs largest random extra delay, spreading retries of many callers apart
 */
public record Backoff(long baseMs, double factor, long capMs, long jitterMs) {
    /** 50 ms, doubling, capped at 1 s, with up to 25 ms of jitter. */
    public static final Backoff DEFAULT = new Backoff(50, 2.0, 1_000, 25);

    private static final int MAX_EXPONENT = 64;

    public Backoff {
        Bounds.require("baseMs", baseMs, 1, 3_600_000);
        Bounds.require("factor", factor, 1.0, 10.0);
        Bounds.require("capMs", capMs, baseMs, 3_600_000);
        Bounds.require("jitterMs", jitterMs, 0, 3_600_000);
    }

    /**
     * The delay before retry {@code retry} (0 for the first retry).
     *
     * @param jitter given a bound {@code b >= 0}, returns a value in {@code [0, b]}
     */
    public long delayMs(int retry, LongUnaryOperator jitter) {
        double grown = baseMs * Math.pow(factor, Math.min(Math.max(0, retry), MAX_EXPONENT));
        long delay = grown >= capMs ? capMs : (long) grown;
        long extra = Math.max(0, Math.min(jitterMs, jitter.applyAsLong(jitterMs)));
        return delay + extra;
    }

    /** A jitter drawn uniformly from {@code [0, bound]}. */
    public static LongUnaryOperator randomJitter() {
        return bound -> bound <= 0 ? 0 : ThreadLocalRandom.current().nextLong(bound + 1);
    }
}
