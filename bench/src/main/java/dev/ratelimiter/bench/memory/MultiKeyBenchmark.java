package dev.ratelimiter.bench.memory;

import dev.ratelimiter.bench.baseline.Bucket4jFourBuckets;
import dev.ratelimiter.bench.support.BenchLimits;
import dev.ratelimiter.bench.support.LeaseIds;
import dev.ratelimiter.bench.support.Probes;
import dev.ratelimiter.core.memory.MemoryBackend;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.registry.InMemoryStore;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.wire.RequestLimits;
import java.io.IOException;
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
 * What: the life of one LLM call's lease on four keys (requests per minute, tokens per minute,
 * concurrency, the tenant's daily tokens), one thread:
 * <ul>
 *   <li>{@code memoryReserve4Keys}: the atomic reserve alone (holds expire with their window);</li>
 *   <li>{@code memoryReserveComplete4Keys}: reserve, then complete without actuals (releases the
 *       concurrency slot; the token holds stay until they expire);</li>
 *   <li>{@code memoryReserveCompleteReconciled4Keys}: reserve, then complete with actuals below the
 *       reserved tokens (complete with reconciliation: both token holds shrink to the actual);</li>
 *   <li>{@code serviceReserveComplete4Keys}: the same reserve and complete through {@link
 *       LimiterService}, which validates each request first: the path the server and the local
 *       limiter take.</li>
 * </ul>
 *
 * <p>Why: every LLM call takes this path, so it is the number that decides whether the limiter is
 * ever the bottleneck. Target (reported in docs/BENCHMARKS.md, never asserted): reserve + complete
 * of four keys within 2x of Bucket4j's four-bucket equivalent, with the aim of beating it.
 *
 * <p>Baselines: Bucket4j with four local buckets ({@link Bucket4jFourBuckets}): {@code tryConsume}
 * on each with compensation (the closest equivalent of our atomic reserve); plus returning the
 * concurrency token with {@code addTokens} (our complete); plus returning the unused tokens with
 * {@code addTokens} (our reconciliation).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class MultiKeyBenchmark {

    /** The backend, and a service over another backend, with the four keys installed. */
    @State(Scope.Benchmark)
    public static class Memory {
        MemoryBackend backend;
        LimiterService service;
        List<Requirement> requirements;
        List<Actual> noActuals;
        List<Actual> actuals;

        @Setup
        public void setUp() throws IOException {
            backend = BenchLimits.memoryBackend();
            service = LimiterService.open(
                    BenchLimits.memoryBackend(), new InMemoryStore(BenchLimits.fourKeyStates()), RequestLimits.DEFAULT);
            requirements = BenchLimits.FOUR_KEYS;
            noActuals = List.of();
            actuals = BenchLimits.FOUR_KEY_ACTUALS;
            Probes.requireAdmitted(backend, requirements, "before the run");
            Probes.requireAdmitted(service, requirements, "before the run");
        }

        @TearDown
        public void tearDown() {
            Probes.requireAdmitted(backend, requirements, "after the run");
            Probes.requireAdmitted(service, requirements, "after the run");
            backend.close();
            service.close();
        }
    }

    /** Four Bucket4j buckets, shared by the benchmark's threads as limits are shared by callers. */
    @State(Scope.Benchmark)
    public static class Buckets {
        Bucket4jFourBuckets buckets;
        long[] amounts;
        long actualTokens;

        @Setup
        public void setUp() {
            buckets = new Bucket4jFourBuckets();
            amounts = buckets.amounts();
            buckets.requireAdmits("before the run");
            actualTokens = BenchLimits.ACTUAL_TOKENS;
        }

        @TearDown
        public void tearDown() {
            buckets.requireAdmits("after the run");
        }
    }

    @Benchmark
    public ReserveResponse memoryReserve4Keys(Memory memory, LeaseIds ids) {
        return memory.backend.reserve(new ReserveRequest(ids.next(), "", memory.requirements));
    }

    @Benchmark
    public CompleteResponse memoryReserveComplete4Keys(Memory memory, LeaseIds ids, Blackhole blackhole) {
        String leaseId = ids.next();
        blackhole.consume(memory.backend.reserve(new ReserveRequest(leaseId, "", memory.requirements)));
        return memory.backend.complete(new CompleteRequest(leaseId, "", memory.noActuals));
    }

    @Benchmark
    public CompleteResponse memoryReserveCompleteReconciled4Keys(Memory memory, LeaseIds ids, Blackhole blackhole) {
        String leaseId = ids.next();
        blackhole.consume(memory.backend.reserve(new ReserveRequest(leaseId, "", memory.requirements)));
        return memory.backend.complete(new CompleteRequest(leaseId, "", memory.actuals));
    }

    @Benchmark
    public CompleteResponse serviceReserveComplete4Keys(Memory memory, LeaseIds ids, Blackhole blackhole) {
        String leaseId = ids.next();
        blackhole.consume(memory.service.reserve(new ReserveRequest(leaseId, "", memory.requirements)));
        return memory.service.complete(new CompleteRequest(leaseId, "", memory.noActuals));
    }

    @Benchmark
    public boolean bucket4jReserve4Buckets(Buckets buckets) {
        return buckets.buckets.tryReserve(buckets.amounts);
    }

    @Benchmark
    public boolean bucket4jReserveRelease4Buckets(Buckets buckets) {
        boolean reserved = buckets.buckets.tryReserve(buckets.amounts);
        if (reserved) {
            buckets.buckets.release(buckets.amounts);
        }
        return reserved;
    }

    @Benchmark
    public boolean bucket4jReserveReconcile4Buckets(Buckets buckets) {
        boolean reserved = buckets.buckets.tryReserve(buckets.amounts);
        if (reserved) {
            buckets.buckets.reconcile(buckets.amounts, buckets.actualTokens);
        }
        return reserved;
    }
}
