package dev.ratelimiter.chaos.workload;

import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.core.time.ManualClock;
import dev.ratelimiter.testkit.invariants.AdmissionLog;
import dev.ratelimiter.testkit.invariants.ConcurrencyChecker;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Many {@link Worker}s driving one limiter with an {@link LlmWorkload}, each on its own thread,
 * sharing one {@link AdmissionLog}, one {@link ConcurrencyChecker} (possibly with other runs) and
 * one {@link RunStats}.
 *
 * <p>Two kinds of time: {@link #realTime} for a limiter behind HTTP (the system clock, workers park
 * while idle), and {@link #manualClock} for a limiter in process, where the first worker moves the
 * clock by a random 0 to {@code clockStepMillisMax} ms at each of its steps while the others run,
 * so that windows and timeouts expire in the middle of reserves and completes, and nothing sleeps.
 *
 * <p>Lifecycle: {@link #start} once, then {@link #stop}, which lets every worker finish its open
 * leases and waits for the threads within a bound; a worker that threw makes {@link #stop} throw.
 *
 * <p>Thread-safety: the configuration is immutable; the stop flag is atomic; the worker list is
 * written by {@link #start} before the threads start and only read afterwards.
 */
public final class WorkloadRun {
    private final String name;
    private final LlmWorkload workload;
    private final LimiterTarget target;
    private final Clock clock;
    private final Pacer pacer;
    private final WorkerSettings workerSettings;
    private final int threads;
    private final long seed;
    private final long clockStepMillisMax;
    private final AdmissionLog log;
    private final ConcurrencyChecker checker;
    private final RunStats stats = new RunStats();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Worker> workers = new ArrayList<>();
    private final List<Thread> workerThreads = new ArrayList<>();
    private final List<Throwable> failures = new ArrayList<>();

    private WorkloadRun(
            String name,
            LlmWorkload workload,
            LimiterTarget target,
            Clock clock,
            Pacer pacer,
            WorkerSettings workerSettings,
            int threads,
            long seed,
            long clockStepMillisMax,
            AdmissionLog log,
            ConcurrencyChecker checker) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (!name.matches("[0-9A-Za-z_-]{1,24}")) {
            throw new IllegalArgumentException(
                    "name: 1 to 24 characters from [0-9A-Za-z_-] (it prefixes lease ids)," + " got '" + name + "'");
        }
        this.name = name;
        this.workload = Objects.requireNonNull(workload, "workload");
        this.target = Objects.requireNonNull(target, "target");
        this.clock = clock;
        this.pacer = pacer;
        this.workerSettings = Objects.requireNonNull(workerSettings, "workerSettings");
        this.threads = threads;
        this.seed = seed;
        this.clockStepMillisMax = clockStepMillisMax;
        this.log = Objects.requireNonNull(log, "log");
        this.checker = Objects.requireNonNull(checker, "checker");
    }

    /** A run on the system clock, for a limiter in another process. */
    public static WorkloadRun realTime(
            String name,
            LlmWorkload workload,
            LimiterTarget target,
            WorkerSettings workerSettings,
            int threads,
            long seed,
            int maxAdmissions) {
        return realTime(
                name,
                workload,
                target,
                workerSettings,
                threads,
                seed,
                new AdmissionLog(workload.definitions(), maxAdmissions),
                new ConcurrencyChecker(Clock.system(), workload.definitions()));
    }

    /**
     * A run on the system clock that records into a {@code log} and {@code checker} it shares with
     * other runs against the same limiter (both are thread-safe), so that every admission of every
     * client is verified together.
     */
    public static WorkloadRun realTime(
            String name,
            LlmWorkload workload,
            LimiterTarget target,
            WorkerSettings workerSettings,
            int threads,
            long seed,
            AdmissionLog log,
            ConcurrencyChecker checker) {
        return new WorkloadRun(
                name,
                workload,
                target,
                Clock.system(),
                Pacer.realTime(),
                workerSettings,
                threads,
                seed,
                0,
                log,
                checker);
    }

    /** A run on {@code clock}, which the first worker moves by up to {@code clockStepMillisMax} per step. */
    public static WorkloadRun manualClock(
            String name,
            LlmWorkload workload,
            LimiterTarget target,
            ManualClock clock,
            long clockStepMillisMax,
            WorkerSettings workerSettings,
            int threads,
            long seed,
            int maxAdmissions) {
        if (clockStepMillisMax < 1) {
            throw new IllegalArgumentException("clockStepMillisMax must be at least 1, got " + clockStepMillisMax);
        }
        return new WorkloadRun(
                name,
                workload,
                target,
                clock,
                Pacer.manualClock(),
                workerSettings,
                threads,
                seed,
                clockStepMillisMax,
                new AdmissionLog(workload.definitions(), maxAdmissions),
                new ConcurrencyChecker(clock, workload.definitions()));
    }

    /** Starts the workers. */
    public synchronized void start() {
        if (!workerThreads.isEmpty()) {
            throw new IllegalStateException("run " + name + " was started already");
        }
        SplittableRandom root = new SplittableRandom(seed);
        for (int i = 0; i < threads; i++) {
            SplittableRandom random = root.split();
            Runnable onStep = () -> {};
            if (i == 0 && clock instanceof ManualClock) {
                ManualClock manual = (ManualClock) clock;
                SplittableRandom clockRandom = root.split();
                onStep = () -> manual.advanceMillis(clockRandom.nextLong(clockStepMillisMax + 1));
            }
            Worker worker = new Worker(i, name, random, this, onStep);
            workers.add(worker);
            Thread thread = new Thread(() -> runCapturingFailure(worker), "chaos-" + name + "-worker-" + i);
            thread.setDaemon(true);
            workerThreads.add(thread);
        }
        workerThreads.forEach(Thread::start);
    }

    /**
     * Stops the workers, lets each end its open leases, and waits at most {@code timeoutMillis} for
     * all of them.
     *
     * @throws AssertionError when a worker threw, or did not end in time
     */
    public void stop(long timeoutMillis) throws InterruptedException {
        stop.set(true);
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (Thread thread : workerThreads) {
            long leftMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
            thread.join(leftMillis);
            if (thread.isAlive()) {
                throw new AssertionError("worker " + thread.getName() + " did not stop within " + timeoutMillis
                        + " ms (seed " + seed + ")");
            }
        }
        synchronized (failures) {
            if (!failures.isEmpty()) {
                AssertionError error =
                        new AssertionError("a worker of run " + name + " failed (seed " + seed + ")", failures.get(0));
                failures.subList(1, failures.size()).forEach(error::addSuppressed);
                throw error;
            }
        }
    }

    private void runCapturingFailure(Worker worker) {
        try {
            worker.run();
        } catch (RuntimeException | Error e) {
            synchronized (failures) {
                failures.add(e);
            }
            // The other workers go on; stop() reports the failure once they are done.
            stop.set(true);
        }
    }

    /** Whether a worker failed so far (the run then stops by itself). */
    public boolean hasFailed() {
        synchronized (failures) {
            return !failures.isEmpty();
        }
    }

    public String name() {
        return name;
    }

    public long seed() {
        return seed;
    }

    public LlmWorkload workload() {
        return workload;
    }

    public AdmissionLog log() {
        return log;
    }

    public ConcurrencyChecker checker() {
        return checker;
    }

    public RunStats stats() {
        return stats;
    }

    public Clock clock() {
        return clock;
    }

    /** The workers, once started. */
    public synchronized List<Worker> workers() {
        return List.copyOf(workers);
    }

    LimiterTarget target() {
        return target;
    }

    Pacer pacer() {
        return pacer;
    }

    WorkerSettings workerSettings() {
        return workerSettings;
    }

    AtomicBoolean stopFlag() {
        return stop;
    }
}
