package dev.ratelimiter.bench.memory;

import dev.ratelimiter.bench.baseline.Bucket4jFourBuckets;
import dev.ratelimiter.bench.support.BenchLimits;
import dev.ratelimiter.bench.support.CheckedMemoryBackend;
import dev.ratelimiter.bench.support.LeaseIds;
import dev.ratelimiter.bench.support.Probes;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import io.github.bucket4j.Bucket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * What: reserve + complete of four keys from 1, 2, 4 and 16 threads at once; the score is the total
 * over all threads. Two shapes of contention:
 * <ul>
 *   <li>{@code memoryThreadsNN}: every thread reserves the same four keys, the worst case of many
 *       workers calling one model of one provider for one tenant;</li>
 *   <li>{@code memoryTenantSharedThreadsNN}: each thread calls its own provider (its own rpm, tpm
 *       and concurrency keys) for the one tenant all share (its daily tokens key): many models,
 *       one budget.</li>
 * </ul>
 * And, as the control that isolates the cost of sharing a key, {@code memoryIndependentThreadsNN}
 * for 1 and 2 threads: each thread has four keys of its own, so only the backend's own structures
 * (the lease map, the tombstones, the sweeper) are shared.
 *
 * <p>Why: the memory backend takes per-key locks in a fixed order instead of one global lock (SPEC
 * 5.1); this shows whether that scales with threads or serialises on the hot keys. Target (reported,
 * never asserted): throughput rises from 1 to 2 threads. Beyond the number of cores, the score shows
 * how gracefully it degrades.
 *
 * <p>Baseline: the same four Bucket4j buckets with compensation and release ({@link
 * Bucket4jFourBuckets}), shared by the same number of threads in the same two shapes (every bucket
 * shared; or three buckets per thread and the daily-tokens bucket shared). Bucket4j's local buckets are
 * lock-free (compare-and-swap), so they are the strongest concurrent baseline at hand.
 *
 * <p>Thread counts are separate methods (JMH has no parameter for threads), named so that they
 * sort by count in the results.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ContendedBenchmark {

    /** One backend shared by every thread. */
    @State(Scope.Benchmark)
    public static class Memory extends CheckedMemoryBackend {
        @Override
        protected List<Requirement> keys() {
            return BenchLimits.FOUR_KEYS;
        }
    }

    /** The providers' keys, installed in the shared backend by the first thread that needs them. */
    @State(Scope.Benchmark)
    public static class Providers {
        final AtomicInteger nextProvider = new AtomicInteger();

        @Setup
        public void setUp(Memory memory) {
            BenchLimits.installProviders(memory.backend());
            Probes.requireAdmitted(memory.backend(), BenchLimits.providerKeys(0), "before the run");
            Probes.requireAdmitted(memory.backend(), BenchLimits.independentKeys(0), "before the run");
        }

        int next() {
            int provider = nextProvider.getAndIncrement();
            if (provider >= BenchLimits.MAX_PROVIDERS) {
                throw new IllegalStateException(
                        "at most " + BenchLimits.MAX_PROVIDERS + " threads have a provider of their own");
            }
            return provider;
        }
    }

    /** Each thread's own provider: thread n of the run calls provider n, for the shared tenant. */
    @State(Scope.Thread)
    public static class OwnProvider {
        List<Requirement> requirements;

        @Setup
        public void setUp(Providers providers) {
            requirements = BenchLimits.providerKeys(providers.next());
        }
    }

    /** Each thread's own provider and own tenant: no key is shared. */
    @State(Scope.Thread)
    public static class OwnKeys {
        List<Requirement> requirements;

        @Setup
        public void setUp(Providers providers) {
            requirements = BenchLimits.independentKeys(providers.next());
        }
    }

    /** Four buckets of each thread's own. */
    @State(Scope.Thread)
    public static class IndependentBuckets {
        Bucket4jFourBuckets buckets;
        long[] amounts;

        @Setup
        public void setUp() {
            buckets = new Bucket4jFourBuckets();
            amounts = buckets.amounts();
            buckets.requireAdmits("before the run");
        }

        @TearDown
        public void tearDown() {
            buckets.requireAdmits("after the run");
        }
    }

    /** The one tenant's daily-tokens bucket, shared by every thread's own three buckets. */
    @State(Scope.Benchmark)
    public static class SharedTenantBucket {
        final Bucket dailyTokens = Bucket4jFourBuckets.rolling();
    }

    /** Each thread's own provider buckets with the shared tenant bucket. */
    @State(Scope.Thread)
    public static class OwnBuckets {
        Bucket4jFourBuckets buckets;
        long[] amounts;

        @Setup
        public void setUp(SharedTenantBucket tenant) {
            buckets = new Bucket4jFourBuckets(tenant.dailyTokens);
            amounts = buckets.amounts();
            buckets.requireAdmits("before the run");
        }

        @TearDown
        public void tearDown() {
            buckets.requireAdmits("after the run");
        }
    }

    /** Four buckets shared by every thread. */
    @State(Scope.Benchmark)
    public static class Buckets {
        Bucket4jFourBuckets buckets;
        long[] amounts;

        @Setup
        public void setUp() {
            buckets = new Bucket4jFourBuckets();
            amounts = buckets.amounts();
            buckets.requireAdmits("before the run");
        }

        @TearDown
        public void tearDown() {
            buckets.requireAdmits("after the run");
        }
    }

    @Benchmark
    @Threads(1)
    public CompleteResponse memoryThreads01(Memory memory, LeaseIds ids, Blackhole blackhole) {
        return reserveComplete(memory, ids, blackhole);
    }

    @Benchmark
    @Threads(2)
    public CompleteResponse memoryThreads02(Memory memory, LeaseIds ids, Blackhole blackhole) {
        return reserveComplete(memory, ids, blackhole);
    }

    @Benchmark
    @Threads(4)
    public CompleteResponse memoryThreads04(Memory memory, LeaseIds ids, Blackhole blackhole) {
        return reserveComplete(memory, ids, blackhole);
    }

    @Benchmark
    @Threads(16)
    public CompleteResponse memoryThreads16(Memory memory, LeaseIds ids, Blackhole blackhole) {
        return reserveComplete(memory, ids, blackhole);
    }

    @Benchmark
    @Threads(1)
    public CompleteResponse memoryTenantSharedThreads01(
            Memory memory, OwnProvider own, LeaseIds ids, Blackhole blackhole) {
        return reserveComplete(memory, own.requirements, ids, blackhole);
    }

    @Benchmark
    @Threads(2)
    public CompleteResponse memoryTenantSharedThreads02(
            Memory memory, OwnProvider own, LeaseIds ids, Blackhole blackhole) {
        return reserveComplete(memory, own.requirements, ids, blackhole);
    }

    @Benchmark
    @Threads(4)
    public CompleteResponse memoryTenantSharedThreads04(
            Memory memory, OwnProvider own, LeaseIds ids, Blackhole blackhole) {
        return reserveComplete(memory, own.requirements, ids, blackhole);
    }

    @Benchmark
    @Threads(16)
    public CompleteResponse memoryTenantSharedThreads16(
            Memory memory, OwnProvider own, LeaseIds ids, Blackhole blackhole) {
        return reserveComplete(memory, own.requirements, ids, blackhole);
    }

    @Benchmark
    @Threads(1)
    public CompleteResponse memoryIndependentThreads01(Memory memory, OwnKeys own, LeaseIds ids, Blackhole blackhole) {
        return reserveComplete(memory, own.requirements, ids, blackhole);
    }

    @Benchmark
    @Threads(2)
    public CompleteResponse memoryIndependentThreads02(Memory memory, OwnKeys own, LeaseIds ids, Blackhole blackhole) {
        return reserveComplete(memory, own.requirements, ids, blackhole);
    }

    @Benchmark
    @Threads(1)
    public boolean bucket4jIndependentThreads01(IndependentBuckets own) {
        return reserveRelease(own.buckets, own.amounts);
    }

    @Benchmark
    @Threads(2)
    public boolean bucket4jIndependentThreads02(IndependentBuckets own) {
        return reserveRelease(own.buckets, own.amounts);
    }

    @Benchmark
    @Threads(1)
    public boolean bucket4jThreads01(Buckets buckets) {
        return reserveRelease(buckets);
    }

    @Benchmark
    @Threads(2)
    public boolean bucket4jThreads02(Buckets buckets) {
        return reserveRelease(buckets);
    }

    @Benchmark
    @Threads(4)
    public boolean bucket4jThreads04(Buckets buckets) {
        return reserveRelease(buckets);
    }

    @Benchmark
    @Threads(16)
    public boolean bucket4jThreads16(Buckets buckets) {
        return reserveRelease(buckets);
    }

    @Benchmark
    @Threads(1)
    public boolean bucket4jTenantSharedThreads01(OwnBuckets own) {
        return reserveRelease(own.buckets, own.amounts);
    }

    @Benchmark
    @Threads(2)
    public boolean bucket4jTenantSharedThreads02(OwnBuckets own) {
        return reserveRelease(own.buckets, own.amounts);
    }

    @Benchmark
    @Threads(4)
    public boolean bucket4jTenantSharedThreads04(OwnBuckets own) {
        return reserveRelease(own.buckets, own.amounts);
    }

    @Benchmark
    @Threads(16)
    public boolean bucket4jTenantSharedThreads16(OwnBuckets own) {
        return reserveRelease(own.buckets, own.amounts);
    }

    private static CompleteResponse reserveComplete(Memory memory, LeaseIds ids, Blackhole blackhole) {
        return reserveComplete(memory, memory.requirements(), ids, blackhole);
    }

    private static CompleteResponse reserveComplete(
            Memory memory, List<Requirement> requirements, LeaseIds ids, Blackhole blackhole) {
        String leaseId = ids.next();
        blackhole.consume(memory.backend().reserve(new ReserveRequest(leaseId, "", requirements)));
        return memory.backend().complete(new CompleteRequest(leaseId, "", List.of()));
    }

    private static boolean reserveRelease(Buckets buckets) {
        return reserveRelease(buckets.buckets, buckets.amounts);
    }

    private static boolean reserveRelease(Bucket4jFourBuckets buckets, long[] amounts) {
        boolean reserved = buckets.tryReserve(amounts);
        if (reserved) {
            buckets.release(amounts);
        }
        return reserved;
    }
}
