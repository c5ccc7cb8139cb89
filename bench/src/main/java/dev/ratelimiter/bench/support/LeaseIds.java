package dev.ratelimiter.bench.support;

import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Unique lease ids for one benchmark thread: a per-instance prefix and a counter.
 *
 * <p>Why not ULIDs: every lease needs a fresh id, and the point is to measure the limiter, not
 * {@link java.security.SecureRandom}. A counter costs one string concatenation, which every caller
 * of any lease-based API pays in some form; the baselines have no lease ids and pay nothing.
 *
 * <p>Not thread-safe: it is a JMH state of {@code Scope.Thread}, so each benchmark thread that names
 * it as a parameter gets its own instance. Prefixes differ between instances, so ids of different
 * threads never collide.
 */
@State(Scope.Thread)
public class LeaseIds {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final String prefix;
    private long next;

    public LeaseIds() {
        this.prefix = "t" + INSTANCES.getAndIncrement() + "-";
    }

    /** The next id: at most 2 + 10 + 19 characters from {@code [0-9a-z-]}, valid under SPEC 3. */
    public String next() {
        return prefix + next++;
    }
}
