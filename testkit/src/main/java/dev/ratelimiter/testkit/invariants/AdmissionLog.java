package dev.ratelimiter.testkit.invariants;

import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.testkit.invariants.SlidingWindowVerifier.Violation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admissions of a run as its clients saw them, recorded from many threads while the run goes
 * on and checked offline afterwards: per limit key, a {@link SlidingWindowVerifier} must find no
 * instant at which the recorded holds sum above the capacity (SPEC 1 and 10).
 *
 * <h2>What a client records</h2>
 * One entry per admitted lease, once the client is done with it: the lease id, the
 * {@code reserved_at_unix_ms} of the answer, the requirements, and how the lease ended:
 * <ul>
 *   <li>{@link #completed}: a complete answered {@code ok} somewhere between two clock readings
 *       around the call. Afterwards a concurrency key holds nothing, and a rolling key holds its
 *       actual when one was sent and is below the reserved amount, or else the reserved amount
 *       (an actual above it may have become debt, which holds nothing, so the lower bound is the
 *       reserved amount).</li>
 *   <li>{@link #completionUnknown}: a complete was sent but its outcome is unknown (transport error,
 *       timeout, a server error). From the moment it was sent, the smaller amount counts until the
 *       hold expires.</li>
 *   <li>{@link #abandoned}: never completed; every requirement holds until it expires.</li>
 * </ul>
 * Every amount the verifiers sum is therefore at most what the limiter really held, so a violation
 * found is a real over-admission and never an artefact of the recording. An admission whose answer
 * never reached the client (a reserve that timed out) is simply not recorded, which keeps the sums
 * lower bounds too.
 *
 * <h2>Epochs</h2>
 * A limiter on the memory backend forgets every hold when its process restarts (SPEC 10), so
 * admissions before and after a restart may legitimately overlap. {@link #newEpoch} marks the
 * instant from which a fresh process answers (take the time at which it was started, after the old
 * one has exited: every admission of the old process is stamped before it and every admission of
 * the new one after it). Each key is then verified per epoch. A backend that keeps holds across a
 * restart (TigerBeetle) is verified with no epochs, across the restart.
 *
 * <h2>Bounds and thread-safety</h2>
 * At most {@code maxAdmissions} entries are kept; later ones are counted as dropped and make the
 * {@link Verification} fail, so that a run too long for its bound is reported instead of verified
 * in part. Recording is lock-free (a concurrent queue and atomic counters) and may happen from any
 * thread; {@link #verify} may run at any time and checks what was recorded until then. The limit
 * definitions are fixed at construction: a run that changes the capacity of a key under load
 * cannot be verified by this log.
 */
public final class AdmissionLog {
    /** How many violations a {@link Verification} lists at most; further ones are only counted. */
    public static final int MAX_VIOLATIONS_LISTED = 20;

    private final Map<String, LimitDefinition> definitions;
    private final int maxAdmissions;
    private final ConcurrentLinkedQueue<Entry> entries = new ConcurrentLinkedQueue<>();
    private final AtomicInteger recorded = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final CopyOnWriteArrayList<Long> epochStartsMillis = new CopyOnWriteArrayList<>();

    /** A lease's holds and how they ended; {@code completedUntilMillis == Long.MAX_VALUE} when unknown. */
    private record Entry(
            String leaseId,
            long reservedAtMillis,
            List<Requirement> requirements,
            Map<String, Long> reconciledAmounts,
            long completedFromMillis,
            long completedUntilMillis) {}

    /**
     * @param definitions the limits the run uses, at most one per key; every recorded requirement
     *     must name one of them
     * @param maxAdmissions how many admissions are kept at most (at least 1)
     */
    public AdmissionLog(Collection<LimitDefinition> definitions, int maxAdmissions) {
        if (maxAdmissions < 1) {
            throw new IllegalArgumentException("maxAdmissions must be at least 1, got " + maxAdmissions);
        }
        Map<String, LimitDefinition> byKey = new TreeMap<>();
        for (LimitDefinition definition : definitions) {
            if (byKey.put(definition.key(), definition) != null) {
                throw new IllegalArgumentException("definitions: key " + definition.key() + " appears twice");
            }
        }
        this.definitions = Map.copyOf(byKey);
        this.maxAdmissions = maxAdmissions;
    }

    /** A lease whose complete answered {@code ok} at some instant in {@code [fromMillis, untilMillis]}. */
    public void completed(
            String leaseId,
            long reservedAtMillis,
            List<Requirement> requirements,
            long completedFromMillis,
            long completedUntilMillis,
            List<Actual> actuals) {
        requireOrder(leaseId, reservedAtMillis, completedFromMillis);
        requireOrder(leaseId, completedFromMillis, completedUntilMillis);
        add(new Entry(
                leaseId,
                reservedAtMillis,
                List.copyOf(requirements),
                reconciled(requirements, actuals),
                completedFromMillis,
                completedUntilMillis));
    }

    /** A lease whose complete was sent at {@code sentAtMillis} but never answered {@code ok}. */
    public void completionUnknown(
            String leaseId,
            long reservedAtMillis,
            List<Requirement> requirements,
            long sentAtMillis,
            List<Actual> actuals) {
        requireOrder(leaseId, reservedAtMillis, sentAtMillis);
        add(new Entry(
                leaseId,
                reservedAtMillis,
                List.copyOf(requirements),
                reconciled(requirements, actuals),
                sentAtMillis,
                Long.MAX_VALUE));
    }

    /** A lease never completed: every requirement holds until it expires. */
    public void abandoned(String leaseId, long reservedAtMillis, List<Requirement> requirements) {
        add(new Entry(leaseId, reservedAtMillis, List.copyOf(requirements), Map.of(), Long.MAX_VALUE, Long.MAX_VALUE));
    }

    /**
     * Admissions stamped from {@code fromMillis} on were made by a limiter that forgot every earlier
     * hold (a restarted process on the memory backend); they are verified apart from earlier ones.
     */
    public void newEpoch(long fromMillis) {
        epochStartsMillis.add(fromMillis);
    }

    /** How many admissions were recorded (and kept) so far. */
    public int size() {
        return Math.min(recorded.get(), maxAdmissions);
    }

    /** Checks every key in every epoch over what was recorded so far. */
    public Verification verify() {
        List<Long> starts = new ArrayList<>(epochStartsMillis);
        starts.sort(null);
        Map<String, Map<Integer, SlidingWindowVerifier>> verifiers = new TreeMap<>();
        long holds = 0;
        int admissions = 0;
        for (Entry entry : entries) {
            admissions++;
            int epoch = epochOf(starts, entry.reservedAtMillis());
            for (Requirement requirement : entry.requirements()) {
                SlidingWindowVerifier verifier = verifiers
                        .computeIfAbsent(requirement.key(), key -> new TreeMap<>())
                        .computeIfAbsent(epoch, e -> SlidingWindowVerifier.of(definitions.get(requirement.key())));
                holds++;
                if (entry.completedFromMillis() == Long.MAX_VALUE) {
                    verifier.admitted(entry.leaseId(), entry.reservedAtMillis(), requirement.amount());
                } else {
                    verifier.admitted(
                            entry.leaseId(),
                            entry.reservedAtMillis(),
                            requirement.amount(),
                            entry.completedFromMillis(),
                            entry.completedUntilMillis(),
                            entry.reconciledAmounts().get(requirement.key()));
                }
            }
        }
        List<KeyResult> results = new ArrayList<>();
        List<Violation> violations = new ArrayList<>();
        int violationCount = 0;
        for (Map.Entry<String, Map<Integer, SlidingWindowVerifier>> byKey : verifiers.entrySet()) {
            for (Map.Entry<Integer, SlidingWindowVerifier> byEpoch :
                    byKey.getValue().entrySet()) {
                SlidingWindowVerifier verifier = byEpoch.getValue();
                Optional<Violation> violation = verifier.firstViolation();
                results.add(new KeyResult(
                        byKey.getKey(),
                        byEpoch.getKey(),
                        verifier.admissionCount(),
                        verifier.peakHeldAmount(),
                        definitions.get(byKey.getKey()).capacity(),
                        violation.isPresent()));
                if (violation.isPresent()) {
                    violationCount++;
                    if (violations.size() < MAX_VIOLATIONS_LISTED) {
                        violations.add(violation.get());
                    }
                }
            }
        }
        return new Verification(
                admissions, holds, dropped.get(), starts.size() + 1, results, violationCount, violations);
    }

    /**
     * The outcome of {@link #verify}.
     *
     * @param admissions leases verified
     * @param holds requirements verified (a lease of four keys counts four)
     * @param droppedAdmissions admissions not kept because the log was full; a verification with
     *     any is not a pass
     * @param epochs how many process lifetimes the admissions were split into
     * @param keys per key and epoch: admissions, the largest sum held, the capacity
     * @param violationCount how many key-epochs over-admitted (each counts its first instant only)
     * @param violations the first {@link #MAX_VIOLATIONS_LISTED} of them
     */
    public record Verification(
            long admissions,
            long holds,
            long droppedAdmissions,
            int epochs,
            List<KeyResult> keys,
            int violationCount,
            List<Violation> violations) {
        public Verification {
            keys = List.copyOf(keys);
            violations = List.copyOf(violations);
        }

        /** No violation and nothing dropped. */
        public boolean passed() {
            return violationCount == 0 && droppedAdmissions == 0;
        }

        /** The key-epoch results of one key. */
        public List<KeyResult> resultsOf(String key) {
            List<KeyResult> results = new ArrayList<>();
            for (KeyResult result : keys) {
                if (result.key().equals(key)) {
                    results.add(result);
                }
            }
            return results;
        }

        /** A multi-line account for a failure message or a run report. */
        public String describe() {
            StringBuilder text = new StringBuilder();
            text.append(admissions)
                    .append(" admissions (")
                    .append(holds)
                    .append(" holds) in ")
                    .append(epochs)
                    .append(" epoch(s), ")
                    .append(violationCount)
                    .append(" violation(s), ")
                    .append(droppedAdmissions)
                    .append(" dropped");
            for (KeyResult result : keys) {
                text.append("\n  ").append(result);
            }
            for (Violation violation : violations) {
                text.append("\n  VIOLATION ").append(violation);
            }
            return text.toString();
        }
    }

    /** One key in one epoch: how much was admitted and how full it got. */
    public record KeyResult(
            String key, int epoch, int admissions, long peakHeldAmount, long capacity, boolean violated) {}

    private void add(Entry entry) {
        for (Requirement requirement : entry.requirements()) {
            if (!definitions.containsKey(requirement.key())) {
                throw new IllegalArgumentException("lease " + entry.leaseId() + ": key " + requirement.key()
                        + " is not one of the limits this log verifies");
            }
            if (requirement.amount() < 1) {
                throw new IllegalArgumentException("lease " + entry.leaseId() + ": amount of " + requirement.key()
                        + " must be at least 1, got " + requirement.amount());
            }
        }
        if (recorded.getAndIncrement() >= maxAdmissions) {
            recorded.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        entries.add(entry);
    }

    /** What each key holds after complete, as a lower bound (see the class comment). */
    private Map<String, Long> reconciled(List<Requirement> requirements, List<Actual> actuals) {
        Map<String, Long> actualByKey = new HashMap<>();
        for (Actual actual : actuals) {
            actualByKey.put(actual.key(), actual.actualAmount());
        }
        Map<String, Long> reconciled = new HashMap<>();
        for (Requirement requirement : requirements) {
            LimitDefinition definition = definitions.get(requirement.key());
            long amount;
            if (definition == null || definition.kind() == LimitKind.CONCURRENCY) {
                amount = 0;
            } else {
                Long actual = actualByKey.get(requirement.key());
                amount = actual == null ? requirement.amount() : Math.max(0, Math.min(actual, requirement.amount()));
            }
            reconciled.put(requirement.key(), amount);
        }
        return reconciled;
    }

    private static int epochOf(List<Long> sortedStartsMillis, long reservedAtMillis) {
        int epoch = 0;
        for (long start : sortedStartsMillis) {
            if (reservedAtMillis >= start) {
                epoch++;
            }
        }
        return epoch;
    }

    private static void requireOrder(String leaseId, long earlierMillis, long laterMillis) {
        if (laterMillis < earlierMillis) {
            throw new IllegalArgumentException(
                    "lease " + leaseId + ": times must not go back, got " + earlierMillis + " then " + laterMillis);
        }
    }
}
