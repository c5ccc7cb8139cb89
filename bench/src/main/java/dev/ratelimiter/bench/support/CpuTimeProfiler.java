package dev.ratelimiter.bench.support;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports the CPU time the benchmark's JVM spent per operation ({@code
 * cpu.us/op}), user and system time of every thread together: the benchmark threads, the in-process
 * server's threads, the garbage collector and the JIT.
 *
 * <p>Why: throughput on a machine shared with other work swings with whatever else runs, while the
 * CPU time an operation needs changes much less. Comparing {@code cpu.us/op} of two benchmarks from
 * the same run is therefore the steadier of the two ratios on a busy machine (see
 * docs/BENCHMARKS.md). Use: {@code -prof dev.ratelimiter.bench.support.CpuTimeProfiler}.
 *
 * <p>Not thread-safe, and need not be: JMH calls it from one thread, before and after each iteration.
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long startCpuNanos;

    @Override
    public String getDescription() {
        return "CPU time of the whole benchmark JVM per operation";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        startCpuNanos = os.getProcessCpuTime();
    }

    @Override
    @SuppressWarnings("rawtypes") // JMH's InternalProfiler declares the raw Result type; an override must match it.
    public Collection<? extends Result> afterIteration(
            BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
        long cpuNanos = os.getProcessCpuTime() - startCpuNanos;
        long ops = result.getMetadata().getMeasuredOps();
        if (ops <= 0 || cpuNanos < 0) {
            return List.of();
        }
        return List.of(new ScalarResult("cpu.us/op", cpuNanos / 1000.0 / ops, "us/op", AggregationPolicy.AVG));
    }
}
