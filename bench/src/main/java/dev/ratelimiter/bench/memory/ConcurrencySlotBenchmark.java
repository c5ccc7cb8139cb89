package dev.ratelimiter.bench.memory;

import dev.ratelimiter.bench.baseline.Bucket4jFourBuckets;
import dev.ratelimiter.bench.baseline.Resilience4jBaselines;
import dev.ratelimiter.bench.support.BenchLimits;
import dev.ratelimiter.bench.support.CheckedMemoryBackend;
import dev.ratelimiter.bench.support.LeaseIds;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.bulkhead.Bulkhead;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * What: taking and giving back one slot of a concurrency limit, one thread: the memory backend's
 * reserve of a lease on the concurrency key followed by its complete.
 *
 * <p>Why: a concurrency limit is a distributed semaphore; this is its acquire and release, and it
 * isolates the cost of the lease machinery from the token arithmetic of the rolling keys.
 *
 * <p>Baselines: Resilience4j's semaphore {@code Bulkhead} ({@code tryAcquirePermission} then
 * {@code onComplete}), and a Bucket4j bucket used as a semaphore ({@code tryConsume(1)} then
 * {@code addTokens(1)}). Neither remembers who holds a slot, so neither can time a forgotten slot
 * out or answer a repeated acquire idempotently, as our lease does.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class ConcurrencySlotBenchmark {

    /** The backend with the benchmark keys installed; shared by the benchmark's threads. */
    @State(Scope.Benchmark)
    public static class Memory extends CheckedMemoryBackend {
        @Override
        protected List<Requirement> keys() {
            return BenchLimits.CONCURRENCY_ONLY;
        }
    }

    /** The baselines, shared by the benchmark's threads. */
    @State(Scope.Benchmark)
    public static class Baselines {
        Bulkhead bulkhead;
        Bucket semaphore;
        long amount;

        @Setup
        public void setUp() {
            bulkhead = Resilience4jBaselines.bulkhead();
            semaphore = Bucket4jFourBuckets.semaphore();
            amount = 1;
        }

        /** Fails the run if the baselines refused: the scores would then measure refusals. */
        @TearDown
        public void tearDown() {
            if (!bulkhead.tryAcquirePermission() || !semaphore.tryConsume(amount)) {
                throw new IllegalStateException("the baselines would not measure admissions: a slot was refused");
            }
        }
    }

    @Benchmark
    public CompleteResponse memoryReserveCompleteConcurrency(Memory memory, LeaseIds ids, Blackhole blackhole) {
        String leaseId = ids.next();
        blackhole.consume(memory.backend().reserve(new ReserveRequest(leaseId, "", memory.requirements())));
        return memory.backend().complete(new CompleteRequest(leaseId, "", List.of()));
    }

    @Benchmark
    public boolean resilience4jBulkheadAcquireRelease(Baselines baselines) {
        boolean acquired = baselines.bulkhead.tryAcquirePermission();
        if (acquired) {
            baselines.bulkhead.onComplete();
        }
        return acquired;
    }

    @Benchmark
    public boolean bucket4jSemaphoreAcquireRelease(Baselines baselines) {
        boolean acquired = baselines.semaphore.tryConsume(baselines.amount);
        if (acquired) {
            baselines.semaphore.addTokens(baselines.amount);
        }
        return acquired;
    }
}
