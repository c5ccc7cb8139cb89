package dev.ratelimiter.bench.baseline;

import dev.ratelimiter.bench.support.BenchLimits;
import io.github.bucket4j.Bucket;
import java.time.Duration;

/**
 * Bucket4j's closest equivalent of our four-key lease: one local bucket per limit, consumed in
 * order, with compensation when a later bucket refuses.
 *
 * <p>It is weaker than our reserve, and the benchmarks say so: the four buckets are not taken
 * atomically (another thread can see the first taken and the last not yet), a rolling window is
 * approximated by greedy refill, there is no lease id, no idempotent repeat and no expiry of a
 * concurrency slot nobody released. It is what a user would write with Bucket4j instead.
 *
 * <p>Thread-safe: Bucket4j's local buckets are lock-free by default; this class adds no state.
 */
public final class Bucket4jFourBuckets {
    /** Indexes into {@link #amounts()}, in the order of {@link BenchLimits#FOUR_KEYS}. */
    public static final int RPM = 0;

    public static final int TPM = 1;
    public static final int CONCURRENCY = 2;
    public static final int DAILY_TOKENS = 3;

    /** Large enough that no run drains it, even at the refill rate's limit below. */
    private static final long HUGE_CAPACITY = 1_000_000_000_000_000L;
    /** Bucket4j's highest refill rate: one token per nanosecond. */
    private static final long MAX_REFILL_PER_SECOND = 1_000_000_000L;
    /** A concurrency bucket gets its tokens back on release only; Bucket4j needs some refill. */
    private static final Duration NEVER = Duration.ofDays(365 * 100);

    private final Bucket[] buckets;
    private final long[] amounts = {1, BenchLimits.RESERVED_TOKENS, 1, BenchLimits.RESERVED_TOKENS};

    /** Four buckets of one's own. */
    public Bucket4jFourBuckets() {
        this(rolling());
    }

    /** Own rpm, tpm and concurrency buckets, and a daily-tokens bucket shared with others (one tenant, many models). */
    public Bucket4jFourBuckets(Bucket dailyTokens) {
        this.buckets = new Bucket[] {rolling(), rolling(), semaphore(), dailyTokens};
    }

    /** The amounts of one LLM call, per bucket; callers must not change them. */
    public long[] amounts() {
        return amounts;
    }

    /**
     * Consumes {@code amounts[i]} from every bucket, or from none: when bucket {@code i} refuses,
     * the tokens already taken from buckets {@code 0..i-1} are given back.
     */
    public boolean tryReserve(long[] requested) {
        for (int i = 0; i < buckets.length; i++) {
            if (!buckets[i].tryConsume(requested[i])) {
                for (int j = i - 1; j >= 0; j--) {
                    buckets[j].addTokens(requested[j]);
                }
                return false;
            }
        }
        return true;
    }

    /** Gives the concurrency slot back: our complete without actuals. */
    public void release(long[] requested) {
        buckets[CONCURRENCY].addTokens(requested[CONCURRENCY]);
    }

    /** Gives the concurrency slot and the unused tokens back: our complete with actuals. */
    public void reconcile(long[] requested, long actualTokens) {
        buckets[CONCURRENCY].addTokens(requested[CONCURRENCY]);
        buckets[TPM].addTokens(requested[TPM] - actualTokens);
        buckets[DAILY_TOKENS].addTokens(requested[DAILY_TOKENS] - actualTokens);
    }

    /**
     * A bucket that starts full and refills as fast as Bucket4j allows, so that no benchmark is ever
     * refused: at 1,500 tokens a call, even 10 million calls a second
     * would take hours to drain it.
     */
    public static Bucket rolling() {
        return Bucket.builder()
                .addLimit(limit ->
                        limit.capacity(HUGE_CAPACITY).refillGreedy(MAX_REFILL_PER_SECOND, Duration.ofSeconds(1)))
                .build();
    }

    /**
     * Checks, outside the measured code, that the buckets still admit a call.
     *
     * @throws IllegalStateException when they refuse, which would mean the run measured refusals
     */
    public void requireAdmits(String when) {
        if (!tryReserve(amounts)) {
            throw new IllegalStateException(
                    "the baseline would not measure admissions: the buckets refused a call " + when);
        }
        release(amounts);
    }

    /** A bucket used as a semaphore: tokens come back only through {@link Bucket#addTokens}. */
    public static Bucket semaphore() {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(HUGE_CAPACITY).refillGreedy(1, NEVER))
                .build();
    }
}
