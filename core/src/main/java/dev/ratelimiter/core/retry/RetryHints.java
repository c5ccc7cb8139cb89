package dev.ratelimiter.core.retry;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.time.Clock;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Computes retry-after hints and keeps the denial streak of each key (SPEC 6).
 *
 * <p>A streak counts consecutive denials of a key; an admission resets it, and it decays to 0 after
 * {@link RetryPolicy#streakDecayMs()} without a denial. It is capped at {@link #MAX_STREAK}, past
 * which every hint is at its cap anyway, so the arithmetic never overflows (hazard of SPEC 11).
 *
 * <p>Bounded: at most {@link #MAX_TRACKED_KEYS} streaks are kept; when a denial of one more key
 * would pass that bound, the map is cleared first, which only makes the next hints smaller (a
 * streak restarts at 0). A denial of a key already tracked never clears the map, so a full map does
 * not keep resetting the streaks of the keys that are denied most. Thread-safe: one
 * {@link ConcurrentHashMap} of immutable entries, updated atomically per key; the bound may be
 * overshot by the number of threads adding a new key at the same instant.
 */
public final class RetryHints {
    public static final int MAX_STREAK = 64;
    public static final int MAX_TRACKED_KEYS = 100_000;

    private final RetryPolicy policy;
    private final Clock clock;
    private final LongUnaryOperator jitter;
    private final int maxTrackedKeys;
    private final ConcurrentHashMap<String, Streak> streaks = new ConcurrentHashMap<>();

    /**
     * @param jitter given a bound {@code b >= 0}, returns a value in {@code [0, b]}; tests pass a
     *     fixed function, production {@link #randomJitter()}
     */
    public RetryHints(RetryPolicy policy, Clock clock, LongUnaryOperator jitter) {
        this(policy, clock, jitter, MAX_TRACKED_KEYS);
    }

    /** As the public constructor, with a smaller bound on the tracked streaks (for tests of the bound). */
    RetryHints(RetryPolicy policy, Clock clock, LongUnaryOperator jitter, int maxTrackedKeys) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.jitter = Objects.requireNonNull(jitter, "jitter");
        if (maxTrackedKeys < 1) {
            throw new IllegalArgumentException("maxTrackedKeys must be at least 1, got " + maxTrackedKeys);
        }
        this.maxTrackedKeys = maxTrackedKeys;
    }

    public RetryHints(RetryPolicy policy, Clock clock) {
        this(policy, clock, randomJitter());
    }

    public static LongUnaryOperator randomJitter() {
        return bound -> bound <= 0 ? 0 : ThreadLocalRandom.current().nextLong(bound + 1);
    }

    public RetryPolicy policy() {
        return policy;
    }

    /** Records a denial of {@code definition}'s key for capacity and returns the hint (always > 0). */
    public long denied(LimitDefinition definition) {
        long now = clock.nowMillis();
        if (streaks.size() >= maxTrackedKeys && !streaks.containsKey(definition.key())) {
            streaks.clear();
        }
        Streak streak = streaks.compute(definition.key(), (key, previous) -> {
            if (previous == null || now - previous.lastDeniedMillis() >= policy.streakDecayMs()) {
                return new Streak(0, now);
            }
            return new Streak(Math.min(MAX_STREAK, previous.count() + 1), now);
        });
        return hint(definition, streak.count());
    }

    /** Records an admission of {@code key}: its streak starts over. */
    public void admitted(String key) {
        if (!streaks.isEmpty()) {
            streaks.remove(key);
        }
    }

    /** How many keys have a streak now (for tests of the bound). */
    int trackedKeyCount() {
        return streaks.size();
    }

    /** The hint for a key that is decreasing (SPEC 2.4 and 6). */
    public long decreasingMs() {
        return policy.decreasingMs();
    }

    /** The hint for {@code streak} consecutive earlier denials, jitter included. Pure but for jitter. */
    long hint(LimitDefinition definition, int streak) {
        long base;
        double factor;
        long cap;
        long jitterMs;
        if (definition.kind() == LimitKind.CONCURRENCY) {
            base = policy.concurrencyBaseMs();
            factor = policy.concurrencyFactor();
            cap = Math.min(policy.concurrencyMaxMs(), saturatingMillis(definition.timeoutSeconds()));
            jitterMs = policy.concurrencyJitterMs();
        } else {
            long windowShare = saturatingMillis(definition.windowSeconds()) / 100 * policy.rollingBaseWindowPercent();
            base = Math.max(policy.rollingMinBaseMs(), windowShare);
            factor = policy.rollingFactor();
            cap = policy.rollingCapMs();
            jitterMs = policy.rollingJitterMs();
        }
        double grown = base * Math.pow(factor, Math.min(streak, MAX_STREAK));
        long delay = grown >= cap ? cap : Math.max(1, (long) grown);
        long extra = Math.max(0, Math.min(jitterMs, jitter.applyAsLong(jitterMs)));
        return Math.max(1, delay + extra);
    }

    private static long saturatingMillis(long seconds) {
        return seconds > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : seconds * 1000;
    }

    private record Streak(int count, long lastDeniedMillis) {}
}
