package dev.ratelimiter.chaos.workload;

import dev.ratelimiter.chaos.workload.LimiterTarget.CompleteResult;
import dev.ratelimiter.chaos.workload.LimiterTarget.ReserveResult;
import dev.ratelimiter.core.llm.LlmRequirements;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.testkit.invariants.AdmissionLog;
import dev.ratelimiter.testkit.invariants.ConcurrencyChecker;
import dev.ratelimiter.testkit.invariants.ConcurrencyChecker.InFlight;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One simulated client of a {@link WorkloadRun}: it reserves random calls, "works" on each admitted
 * one for a random time on the run's clock, then completes it with actual usage at or below the
 * reserved bound, without actuals (failed work), or not at all (abandoned). It keeps at most
 * {@link WorkerSettings#maxOpenLeases} leases open and records every admission in the run's
 * {@link AdmissionLog} and {@link ConcurrencyChecker}.
 *
 * <p>Unknown outcomes are handled as a careful client would: a reserve without an answer is sent
 * again with the same lease id (its answer then carries the original {@code reserved_at}); a
 * complete without an answer is sent again; both within a bounded number of attempts.
 *
 * <p>Thread-safety: a worker's leases, random generator and sequence are confined to its own
 * thread; {@link #lastAnsweredAtMillis()} and {@link #answers()} are volatile for the test thread;
 * everything shared (stats, log, checker, target) is thread-safe.
 */
public final class Worker implements Runnable {
    private static final String JOB_ID = "chaos";

    private final int index;
    private final String leasePrefix;
    private final SplittableRandom random;
    private final WorkloadRun run;
    private final Runnable onStep;
    private final PriorityQueue<OpenLease> open =
            new PriorityQueue<>(Comparator.comparingLong(lease -> lease.dueMillis));
    private PendingReserve pending;
    private long nextReserveAtMillis;
    private long sequence;
    private volatile long lastAnsweredAtMillis = Long.MIN_VALUE;
    private volatile long answers;

    /** An admitted lease the worker is working on, or retrying the complete of. */
    private static final class OpenLease {
        final String leaseId;
        final LlmRequirements call;
        final List<Requirement> requirements;
        final long reservedAtMillis;
        final InFlight inFlight;
        final boolean abandon;
        long dueMillis;
        int completeAttempts;
        long firstCompleteSentAtMillis;
        List<Actual> actuals;

        OpenLease(
                String leaseId,
                LlmRequirements call,
                long reservedAtMillis,
                InFlight inFlight,
                boolean abandon,
                long dueMillis) {
            this.leaseId = leaseId;
            this.call = call;
            this.requirements = call.requirements();
            this.reservedAtMillis = reservedAtMillis;
            this.inFlight = inFlight;
            this.abandon = abandon;
            this.dueMillis = dueMillis;
        }
    }

    /** A reserve that got no answer, to be sent again with the same lease id. */
    private record PendingReserve(String leaseId, LlmRequirements call, int attempts) {}

    Worker(int index, String leasePrefix, SplittableRandom random, WorkloadRun run, Runnable onStep) {
        this.index = index;
        this.leasePrefix = leasePrefix;
        this.random = random;
        this.run = run;
        this.onStep = onStep;
    }

    public int index() {
        return index;
    }

    /** When this worker last got an answer (any answer) from the limiter, on the run's clock. */
    public long lastAnsweredAtMillis() {
        return lastAnsweredAtMillis;
    }

    /** How many answers this worker got. */
    public long answers() {
        return answers;
    }

    @Override
    public void run() {
        AtomicBoolean stop = run.stopFlag();
        while (!stop.get()) {
            onStep.run();
            long nowMillis = clock().nowMillis();
            OpenLease due = open.peek();
            if (due != null && due.dueMillis <= nowMillis) {
                open.poll();
                finish(due);
                continue;
            }
            if (open.size() < settings().maxOpenLeases() && nowMillis >= nextReserveAtMillis) {
                reserve();
                continue;
            }
            long untilMillis = due == null ? nowMillis + Pacer.MAX_PARK_MILLIS : due.dueMillis;
            if (open.size() < settings().maxOpenLeases()) {
                untilMillis = Math.min(untilMillis, nextReserveAtMillis);
            }
            run.pacer().idle(nowMillis, untilMillis);
        }
        drain();
    }

    /** After the stop: every lease still open ends now, as it was going to (abandoned ones stay so). */
    private void drain() {
        List<OpenLease> left = new ArrayList<>(open);
        open.clear();
        for (OpenLease lease : left) {
            finishOnce(lease);
        }
        if (pending != null) {
            run.stats().leasesLost.increment();
            pending = null;
        }
    }

    private void reserve() {
        String leaseId;
        LlmRequirements call;
        int attempt;
        if (pending != null) {
            leaseId = pending.leaseId();
            call = pending.call();
            attempt = pending.attempts() + 1;
        } else {
            leaseId = leasePrefix + "-w" + index + "-" + sequence++;
            call = run.workload().nextCall(random);
            attempt = 1;
        }
        pending = null;
        List<Requirement> requirements = call.requirements();
        RunStats stats = run.stats();
        stats.reserveCalls.increment();
        long startNanos = System.nanoTime();
        ReserveResult result = run.target().reserve(new ReserveRequest(leaseId, JOB_ID, requirements));
        stats.longestCallMillis.accumulate(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        long nowMillis = clock().nowMillis();
        if (!result.isAnswered()) {
            stats.reserveFailures.increment();
            if (result.invalid()) {
                stats.countUnexpected(result.failure());
            } else if (attempt < settings().reserveAttempts()) {
                pending = new PendingReserve(leaseId, call, attempt);
            } else {
                stats.leasesLost.increment();
            }
            nextReserveAtMillis = nowMillis + settings().retryPauseMillis();
            return;
        }
        answered(nowMillis);
        ReserveResponse response = result.response();
        if (response.allowed()) {
            admitted(leaseId, call, response.reservedAtUnixMs(), nowMillis);
        } else if (response.deniedForCapacity()) {
            stats.denied.increment();
            for (Requirement requirement : requirements) {
                RunStats.increment(stats.deniedByKey, requirement.key());
            }
            long pauseMillis = Math.min(response.retryAfterMs(), settings().denialPauseMillisMax());
            nextReserveAtMillis = nowMillis + (pauseMillis < 1 ? 0 : random.nextLong(pauseMillis + 1));
        } else if (response.refusal() instanceof Refusal.BackendError) {
            stats.backendErrors.increment();
            nextReserveAtMillis = nowMillis + settings().retryPauseMillis();
        } else if (attempt > 1 && new Refusal.LeaseExpired(leaseId).equals(response.refusal())) {
            // An earlier attempt was admitted without our knowing, and its hold is gone already
            // (or a restarted server forgot it): the admission stays out of the log.
            stats.leasesLost.increment();
        } else {
            stats.countUnexpected("reserve error " + errorKind(response.error()));
        }
    }

    private void admitted(String leaseId, LlmRequirements call, long reservedAtMillis, long nowMillis) {
        RunStats stats = run.stats();
        stats.allowed.increment();
        List<Requirement> requirements = call.requirements();
        for (Requirement requirement : requirements) {
            RunStats.increment(stats.allowedByKey, requirement.key());
        }
        InFlight inFlight = run.checker().acquired(leaseId, reservedAtMillis, requirements);
        long workMillis = settings().workMillisMin()
                + random.nextLong(settings().workMillisMax() - settings().workMillisMin() + 1);
        boolean abandon = random.nextInt(100) < settings().abandonPercent();
        open.add(new OpenLease(
                leaseId,
                call,
                reservedAtMillis,
                inFlight,
                abandon,
                Math.max(nowMillis, reservedAtMillis) + workMillis));
    }

    private void finish(OpenLease lease) {
        if (!finishOnce(lease)) {
            lease.dueMillis = clock().nowMillis() + settings().retryPauseMillis();
            open.add(lease);
        }
    }

    /**
     * Ends a lease: abandons it, or sends one complete attempt. Returns false when the complete
     * should be sent again.
     */
    private boolean finishOnce(OpenLease lease) {
        RunStats stats = run.stats();
        AdmissionLog log = run.log();
        if (lease.abandon) {
            // The hold stays until it expires, so the concurrency checker keeps counting it too.
            log.abandoned(lease.leaseId, lease.reservedAtMillis, lease.requirements);
            stats.abandoned.increment();
            return true;
        }
        if (lease.completeAttempts == 0) {
            lease.actuals = chooseActuals(lease.call);
            run.checker().released(lease.inFlight);
            lease.firstCompleteSentAtMillis = Math.max(clock().nowMillis(), lease.reservedAtMillis);
        }
        lease.completeAttempts++;
        stats.completeCalls.increment();
        long startNanos = System.nanoTime();
        CompleteResult result = run.target().complete(new CompleteRequest(lease.leaseId, JOB_ID, lease.actuals));
        stats.longestCallMillis.accumulate(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        long nowMillis = clock().nowMillis();
        if (result.isAnswered()) {
            answered(nowMillis);
            if (result.response().ok()) {
                log.completed(
                        lease.leaseId,
                        lease.reservedAtMillis,
                        lease.requirements,
                        lease.firstCompleteSentAtMillis,
                        Math.max(nowMillis, lease.firstCompleteSentAtMillis),
                        lease.actuals);
                stats.completed.increment();
                return true;
            }
            if (result.response().error().equals(ErrorCodes.BACKEND_ERROR)) {
                stats.backendErrors.increment();
            } else {
                stats.countUnexpected(
                        "complete error " + errorKind(result.response().error()));
            }
        } else if (result.invalid()) {
            stats.countUnexpected(result.failure());
        }
        stats.completeFailures.increment();
        if (lease.completeAttempts < settings().completeAttempts()
                && !run.stopFlag().get()) {
            return false;
        }
        log.completionUnknown(
                lease.leaseId,
                lease.reservedAtMillis,
                lease.requirements,
                lease.firstCompleteSentAtMillis,
                lease.actuals);
        stats.completionsUnknown.increment();
        return true;
    }

    /** Actual usage at or below the bound; or none when the work failed (SPEC 7, hazard of SPEC 11). */
    private List<Actual> chooseActuals(LlmRequirements call) {
        if (random.nextInt(100) < settings().failedWorkPercent()) {
            return List.of();
        }
        long usedTokens = random.nextLong(call.tokenUpperBound() + 1);
        long inputTokens = random.nextLong(usedTokens + 1);
        return call.actuals(inputTokens, usedTokens - inputTokens);
    }

    private void answered(long nowMillis) {
        lastAnsweredAtMillis = nowMillis;
        // Only this worker's thread writes the counter, so the read-modify-write cannot lose updates;
        // volatile makes each new value visible to the test thread.
        answers++;
    }

    /** An error code without the key or lease it names, so that counters stay few. */
    private static String errorKind(String error) {
        int colon = error.indexOf(':');
        return colon < 0 ? error : error.substring(0, colon);
    }

    private Clock clock() {
        return run.clock();
    }

    private WorkerSettings settings() {
        return run.workerSettings();
    }
}
