package dev.ratelimiter.testkit.invariants;

import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Reads the limiter's own account of its usage ({@code GET /v1/admin/limits}, or
 * {@code LimiterService.limits()} in process) at a fixed interval while a run goes on, and checks
 * every reading: the amount reserved lies within the capacity, {@code available} is
 * {@code capacity - reserved}, debt is never negative, and the status agrees with the pending
 * decrease (SPEC 3). It also keeps the largest amount reserved seen per key, which shows that the
 * run really filled its limits.
 *
 * <p>A reading that fails (the server is down during a chaos run) is counted, not a violation.
 *
 * <p>Bounds: one daemon thread; the interval is at least 1 ms; at most
 * {@link #MAX_VIOLATIONS_LISTED} violations are listed, further ones only counted; the peaks hold
 * one entry per key the limiter reports. {@link #close} stops the thread and waits at most
 * {@link #STOP_TIMEOUT_MS} for a reading in progress.
 *
 * <p>Thread-safe: the counters, peaks and lists are guarded by the sampler's monitor; a reading is
 * taken outside it and applied under it.
 */
public final class UsageSampler implements AutoCloseable {
    /** How many violations are listed at most; further ones are only counted. */
    public static final int MAX_VIOLATIONS_LISTED = 20;
    /** How long {@link #close} waits for a reading in progress. */
    public static final long STOP_TIMEOUT_MS = 5_000;

    private final Supplier<List<LimitInfo>> source;
    private final ScheduledExecutorService timer;
    private long samples;
    private long failedSamples;
    private String lastFailure = "";
    private long violationCount;
    private final List<String> violations = new ArrayList<>();
    private final Map<String, Long> peakReserved = new TreeMap<>();

    private UsageSampler(String name, Supplier<List<LimitInfo>> source) {
        this.source = source;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "usage-sampler-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts reading {@code source} every {@code intervalMs} on a thread named after {@code name}.
     */
    public static UsageSampler start(String name, Supplier<List<LimitInfo>> source, long intervalMs) {
        Objects.requireNonNull(source, "source");
        if (intervalMs < 1) {
            throw new IllegalArgumentException("intervalMs must be at least 1, got " + intervalMs);
        }
        UsageSampler sampler = new UsageSampler(name, source);
        sampler.timer.scheduleWithFixedDelay(sampler::sampleNow, 0, intervalMs, TimeUnit.MILLISECONDS);
        return sampler;
    }

    /**
     * What is wrong with one reading of a key, if anything: the rules of SPEC 3 for
     * {@code usage}, {@code status} and {@code pending_decrease_to}.
     */
    public static Optional<String> check(LimitInfo info) {
        long capacity = info.definition().capacity();
        Usage usage = info.usage();
        String where = info.definition().key() + ": " + info;
        if (usage.reserved() < 0 || usage.reserved() > capacity) {
            return Optional.of(where + ": reserved " + usage.reserved() + " outside 0.." + capacity);
        }
        if (usage.available() != capacity - usage.reserved()) {
            return Optional.of(where + ": available " + usage.available() + " is not capacity " + capacity
                    + " minus reserved " + usage.reserved());
        }
        if (usage.debt() < 0) {
            return Optional.of(where + ": negative debt");
        }
        boolean decreasing = info.status() == LimitStatus.DECREASING;
        if (decreasing && (info.pendingDecreaseTo() < 1 || info.pendingDecreaseTo() >= capacity)) {
            return Optional.of(
                    where + ": decreasing to " + info.pendingDecreaseTo() + ", not within 1.." + (capacity - 1));
        }
        if (!decreasing && info.pendingDecreaseTo() != 0) {
            return Optional.of(where + ": active with a pending decrease");
        }
        return Optional.empty();
    }

    /** Takes one reading now, on the caller's thread. */
    public void sampleNow() {
        List<LimitInfo> infos;
        try {
            infos = source.get();
        } catch (RuntimeException e) {
            // The limiter may be down on purpose (a chaos run); a failed reading is counted and
            // the next one tries again.
            synchronized (this) {
                failedSamples++;
                lastFailure = e.toString();
            }
            return;
        }
        synchronized (this) {
            samples++;
            for (LimitInfo info : infos) {
                peakReserved.merge(info.definition().key(), info.usage().reserved(), Math::max);
                Optional<String> violation = check(info);
                if (violation.isPresent()) {
                    violationCount++;
                    if (violations.size() < MAX_VIOLATIONS_LISTED) {
                        violations.add(violation.get());
                    }
                }
            }
        }
    }

    /** What was read until now. */
    public synchronized Report report() {
        return new Report(samples, failedSamples, lastFailure, violationCount, violations, peakReserved);
    }

    /** Stops the readings; waits at most {@link #STOP_TIMEOUT_MS} for one in progress. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                synchronized (this) {
                    lastFailure = "a reading did not end within " + STOP_TIMEOUT_MS + " ms of close";
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The readings so far.
     *
     * @param samples readings that answered
     * @param failedSamples readings that failed (the limiter did not answer)
     * @param lastFailure the last failure, empty when none
     * @param violationCount key readings that broke a rule
     * @param violations the first {@link #MAX_VIOLATIONS_LISTED} of them
     * @param peakReserved per key, the largest amount reserved read
     */
    public record Report(
            long samples,
            long failedSamples,
            String lastFailure,
            long violationCount,
            List<String> violations,
            Map<String, Long> peakReserved) {
        public Report {
            violations = List.copyOf(violations);
            peakReserved = Map.copyOf(peakReserved);
        }
    }
}
