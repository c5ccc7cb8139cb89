package dev.ratelimiter.bench.memory;

import dev.ratelimiter.bench.baseline.Bucket4jFourBuckets;
import dev.ratelimiter.bench.baseline.Resilience4jBaselines;
import dev.ratelimiter.bench.support.BenchLimits;
import dev.ratelimiter.bench.support.CheckedMemoryBackend;
import dev.ratelimiter.bench.support.LeaseIds;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What: admitting one unit of one rolling limit, one thread: the memory backend's reserve of a new
 * lease with one requirement, which is never completed (its hold expires with its window).
 *
 * <p>Why: it is the cheapest thing the limiter does and the floor under every other number. It
 * includes everything a reserve pays for: the lease record (idempotency), the hold in the key's
 * expiry queue, purging the holds that expired meanwhile, and the sweep of expired lease records.
 *
 * <p>Baselines: Bucket4j's {@code tryConsume(1)} on one local bucket, and Resilience4j's {@code
 * RateLimiter.acquirePermission()}. Both keep a counter per limit and nothing per call, so they
 * cannot answer an idempotent repeat, reconcile a call's real usage or hold an exact sliding window;
 * the ratio says what those features cost.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class SingleKeyBenchmark {

    /** The backend with the benchmark keys installed; shared by the benchmark's threads. */
    @State(Scope.Benchmark)
    public static class Memory extends CheckedMemoryBackend {
        @Override
        protected List<Requirement> keys() {
            return BenchLimits.ONE_KEY;
        }
    }

    /** The baselines, shared by the benchmark's threads as a limit is shared by its callers. */
    @State(Scope.Benchmark)
    public static class Baselines {
        Bucket bucket;
        RateLimiter rateLimiter;
        long amount;

        @Setup
        public void setUp() {
            bucket = Bucket4jFourBuckets.rolling();
            rateLimiter = Resilience4jBaselines.rateLimiter();
            amount = 1;
        }

        /** Fails the run if the baselines refused: the scores would then measure refusals. */
        @TearDown
        public void tearDown() {
            if (!bucket.tryConsume(amount) || !rateLimiter.acquirePermission()) {
                throw new IllegalStateException("the baselines would not measure admissions: a permit was refused");
            }
        }
    }

    @Benchmark
    public ReserveResponse memoryReserve1Key(Memory memory, LeaseIds ids) {
        return memory.backend().reserve(new ReserveRequest(ids.next(), "", memory.requirements()));
    }

    @Benchmark
    public boolean bucket4jTryConsume(Baselines baselines) {
        return baselines.bucket.tryConsume(baselines.amount);
    }

    @Benchmark
    public boolean resilience4jAcquirePermission(Baselines baselines) {
        return baselines.rateLimiter.acquirePermission();
    }
}
