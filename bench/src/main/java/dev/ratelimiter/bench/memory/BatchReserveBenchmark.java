package dev.ratelimiter.bench.memory;

import dev.ratelimiter.bench.support.BenchLimits;
import dev.ratelimiter.core.memory.MemoryBackend;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What: a batch of {@link #BATCH} four-key reserves in the memory backend, in process, per lease:
 * <ul>
 *   <li>{@code reserveAll}: {@link MemoryBackend#reserveAll} (each key's lock once per group);</li>
 *   <li>{@code reserveLoop}: the same requests through {@link MemoryBackend#reserve}, one by one
 *       (what the batch entry replaced);</li>
 *   <li>{@code reserveAllCompleteAll}: the batch reserved, then completed with {@code completeAll}.</li>
 * </ul>
 * The first two never complete their leases, like the HTTP batch benchmark: every concurrency hold
 * and every lease record waits for its one-second (accelerated) timeout.
 *
 * <p>Why: the server's batch endpoint calls {@code reserveAll}; this separates the backend's share of
 * a batch from the codec's and the transport's (issue 14). Baseline: the loop of single reserves.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class BatchReserveBenchmark {
    static final int BATCH = 256;

    /** A backend with the four keys, and a counter for fresh lease ids. */
    @State(Scope.Thread)
    public static class Memory {
        MemoryBackend backend;
        long next;

        @Setup(Level.Trial)
        public void setUp() {
            backend = BenchLimits.memoryBackend();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            backend.close();
        }

        List<ReserveRequest> batch() {
            List<ReserveRequest> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                batch.add(new ReserveRequest("b-" + next++, "", BenchLimits.FOUR_KEYS));
            }
            return batch;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<ReserveResponse> reserveAll(Memory memory) {
        return memory.backend.reserveAll(memory.batch());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<ReserveResponse> reserveLoop(Memory memory) {
        List<ReserveRequest> batch = memory.batch();
        List<ReserveResponse> responses = new ArrayList<>(BATCH);
        for (ReserveRequest request : batch) {
            responses.add(memory.backend.reserve(request));
        }
        return responses;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object reserveAllCompleteAll(Memory memory) {
        List<ReserveRequest> batch = memory.batch();
        memory.backend.reserveAll(batch);
        List<CompleteRequest> completes = new ArrayList<>(BATCH);
        for (ReserveRequest request : batch) {
            completes.add(new CompleteRequest(request.leaseId(), "", List.of()));
        }
        return memory.backend.completeAll(completes);
    }
}
