package dev.ratelimiter.core.ids;

import dev.ratelimiter.core.time.Clock;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Makes ULIDs that sort in creation order, also within one millisecond and across threads.
 *
 * <p>Monotonicity (the ULID spec's monotonic mode): when the clock shows a later millisecond than
 * the last id, the new id takes that time and a fresh 80-bit random part. Otherwise (the same
 * millisecond, or a clock that stepped back) the new id keeps the last id's time and its random
 * part plus one. When those 80 bits would overflow, the spec's generator fails; this one instead
 * moves the time part forward by one millisecond, logically, and takes a fresh random part, so it
 * never fails and never blocks. The time part then runs ahead of the clock by at most the number
 * of such overflows, which needs about 2^79 ids per millisecond on average and so does not happen
 * in practice.
 *
 * <p>Thread-safe: {@link #next()} is synchronized on the generator, which guards the last id.
 * The random source is only called under that lock, so it need not be thread-safe itself.
 */
public final class UlidGenerator {
    private static final long RANDOM_HIGH_MASK = 0xFFFFL;

    private final Clock clock;
    private final RandomGenerator random;
    /** The last id made; guarded by {@code this}. Null before the first. */
    private Ulid last;

    /**
     * @param clock the time of each id
     * @param random the source of the 80 random bits; tests pass a seeded or scripted source
     */
    public UlidGenerator(Clock clock, RandomGenerator random) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** A generator on the system clock with a {@link SecureRandom}, for production lease ids. */
    public static UlidGenerator system() {
        return new UlidGenerator(Clock.system(), new SecureRandom());
    }

    /**
     * The next id: later than every id this generator made before.
     *
     * @throws IllegalStateException when the clock shows a time a ULID cannot carry (before 1970
     *     or after the year 10889)
     */
    public synchronized Ulid next() {
        long nowMillis = clock.nowMillis();
        if (nowMillis < 0 || nowMillis > Ulid.MAX_TIMESTAMP_MILLIS) {
            throw new IllegalStateException("the clock shows " + nowMillis + " ms, which a ULID cannot carry (0 to "
                    + Ulid.MAX_TIMESTAMP_MILLIS + ")");
        }
        Ulid next;
        if (last == null || nowMillis > last.timestampMillis()) {
            next = fresh(nowMillis);
        } else {
            next = increment(last);
        }
        last = next;
        return next;
    }

    /** The text form of {@link #next()}, ready to be a {@code lease_id}. */
    public String nextString() {
        return next().toString();
    }

    private Ulid fresh(long timestampMillis) {
        return Ulid.of(timestampMillis, random.nextLong() & RANDOM_HIGH_MASK, random.nextLong());
    }

    private Ulid increment(Ulid previous) {
        long least = previous.leastSignificantBits() + 1;
        long randomHigh = previous.mostSignificantBits() & RANDOM_HIGH_MASK;
        if (least == 0) {
            // The low 64 bits wrapped: carry into the high 16 random bits.
            randomHigh++;
        }
        if (randomHigh > RANDOM_HIGH_MASK) {
            // All 80 random bits were ones: move the time forward by one millisecond (see class doc).
            long timestampMillis = previous.timestampMillis() + 1;
            if (timestampMillis > Ulid.MAX_TIMESTAMP_MILLIS) {
                throw new IllegalStateException("ULID time part exhausted at " + Ulid.MAX_TIMESTAMP_MILLIS + " ms");
            }
            return fresh(timestampMillis);
        }
        return Ulid.of(previous.timestampMillis(), randomHigh, least);
    }
}
