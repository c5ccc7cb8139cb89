package dev.ratelimiter.bench.support;

import dev.ratelimiter.core.memory.MemoryBackend;
import dev.ratelimiter.core.model.Requirement;
import java.util.List;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The base of the benchmarks' memory-backend states: a backend from {@link
 * BenchLimits#memoryBackend()}, the requirements a benchmark reserves, and a check before and after
 * the run that the backend admits them (a run that measured denials would measure the cheaper
 * path).
 *
 * <p>Each benchmark class declares a {@code @State(Scope.Benchmark)} subclass that names its
 * requirements; JMH runs the inherited {@code @Setup} and {@code @TearDown}. Thread-safety: the
 * fields are written in setup, before any benchmark thread reads them; the backend is thread-safe.
 */
public abstract class CheckedMemoryBackend {
    private MemoryBackend backend;
    private List<Requirement> requirements;

    /** The requirements every call of the benchmark reserves. */
    protected abstract List<Requirement> keys();

    @Setup
    public void startBackend() {
        backend = BenchLimits.memoryBackend();
        requirements = keys();
        Probes.requireAdmitted(backend, requirements, "before the run");
    }

    @TearDown
    public void checkAndCloseBackend() {
        Probes.requireAdmitted(backend, requirements, "after the run");
        backend.close();
    }

    public final MemoryBackend backend() {
        return backend;
    }

    public final List<Requirement> requirements() {
        return requirements;
    }
}
