package dev.ratelimiter.testkit.invariants;

import dev.ratelimiter.core.model.LimitDefinition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An offline check of the admission invariant of one limit key (SPEC 1 and 10): at no instant do
 * the amounts held by its admissions sum to more than its capacity.
 *
 * <p>For a rolling key every admission holds for exactly one window from its {@code reserved_at},
 * so the amounts held at instant {@code t} are the amounts admitted in {@code (t - window, t]}:
 * checking every instant where the held sum changes is checking every sliding window. A
 * concurrency key is checked the same way with its timeout as the window and 0 as the amount after
 * complete.
 *
 * <p>Reconciliation: after complete a rolling hold counts its reconciled amount (the actual, or
 * reserved plus overage when the overage was reserved; debt never counts) until the original
 * expiry. A recorder outside the backend only knows that complete ran somewhere between two clock
 * readings, so an admission is given with that interval, and within it the smaller of the reserved
 * and the reconciled amount counts. Every sum is thus a lower bound of what the backend held, and a
 * violation found is a real over-admission, never an artefact of the recording.
 *
 * <p>Time is in whole milliseconds, as the backend keeps it: a hold counts from its start up to, not
 * including, its end. All changes at one millisecond are applied before that millisecond is checked,
 * because the recorder cannot know their order within it.
 *
 * <p>Not thread-safe: it is filled and checked from one thread, after the run it checks. Its memory
 * grows with the admissions given to it; a caller that records a long run bounds that itself (see
 * {@link AdmissionLog}).
 */
public final class SlidingWindowVerifier {

    /** A moment when the held amounts summed above the capacity, with the leases held then. */
    public record Violation(String key, long atMillis, long heldAmount, long capacity, List<String> leaseIds) {}

    /** One admission as recorded; {@code completedFromMillis == Long.MAX_VALUE} when never completed. */
    private record Admission(
            String leaseId,
            long reservedAtMillis,
            long amount,
            long completedFromMillis,
            long completedUntilMillis,
            long reconciledAmount) {}

    /** {@code amount} held from {@code fromMillis} up to, not including, {@code untilMillis}. */
    private record Segment(Admission admission, long fromMillis, long untilMillis, long amount) {}

    private record Change(long atMillis, long delta) {}

    private final String key;
    private final long capacity;
    private final long holdMillis;
    private final List<Admission> admissions = new ArrayList<>();

    /**
     * @param holdMillis how long an admission holds at most: the window of a rolling key, the
     *     timeout of a concurrency key
     */
    public SlidingWindowVerifier(String key, long capacity, long holdMillis) {
        if (capacity < 1 || holdMillis < 1) {
            throw new IllegalArgumentException(
                    "capacity and holdMillis must be at least 1, got " + capacity + " and " + holdMillis);
        }
        this.key = key;
        this.capacity = capacity;
        this.holdMillis = holdMillis;
    }

    /** A verifier of {@code definition}'s key, with its capacity and its window or timeout. */
    public static SlidingWindowVerifier of(LimitDefinition definition) {
        return new SlidingWindowVerifier(definition.key(), definition.capacity(), definition.holdMillis());
    }

    /** An admission never completed: it holds {@code amount} until it expires. */
    public void admitted(String leaseId, long reservedAtMillis, long amount) {
        requireAmount("amount", amount, 1);
        admissions.add(new Admission(leaseId, reservedAtMillis, amount, Long.MAX_VALUE, Long.MAX_VALUE, amount));
    }

    /**
     * An admission completed at some instant in {@code [completedFromMillis, completedUntilMillis]},
     * after which it holds {@code reconciledAmount} (0 for a concurrency key) until it expires.
     * An outcome of complete that is unknown (the call failed or timed out) is given as
     * {@code completedUntilMillis = Long.MAX_VALUE}: from {@code completedFromMillis} on, the smaller
     * amount counts until the hold expires.
     */
    public void admitted(
            String leaseId,
            long reservedAtMillis,
            long amount,
            long completedFromMillis,
            long completedUntilMillis,
            long reconciledAmount) {
        requireAmount("amount", amount, 1);
        requireAmount("reconciledAmount", reconciledAmount, 0);
        if (completedFromMillis < reservedAtMillis || completedUntilMillis < completedFromMillis) {
            throw new IllegalArgumentException("lease " + leaseId + ": need reservedAt <= completedFrom <= "
                    + "completedUntil, got " + reservedAtMillis + ", " + completedFromMillis + ", "
                    + completedUntilMillis);
        }
        admissions.add(new Admission(
                leaseId, reservedAtMillis, amount, completedFromMillis, completedUntilMillis, reconciledAmount));
    }

    public int admissionCount() {
        return admissions.size();
    }

    /** The earliest instant at which the held amounts sum above the capacity, if there is one. */
    public Optional<Violation> firstViolation() {
        return Optional.ofNullable(sweep().firstViolation());
    }

    /**
     * The largest sum held at any instant, up to the first violation (a lower bound, as every sum
     * here); a stress run shows with it that the key was really contended.
     */
    public long peakHeldAmount() {
        return sweep().peakHeldAmount();
    }

    private record Sweep(long peakHeldAmount, Violation firstViolation) {}

    /** Applies every change in time order and checks the sum after each instant. */
    private Sweep sweep() {
        List<Change> changes = changes();
        long held = 0;
        long peak = 0;
        int i = 0;
        while (i < changes.size()) {
            long atMillis = changes.get(i).atMillis();
            // Releases sort before takes at the same instant, so the running sum cannot overflow
            // while an instant is applied unless the holds of that instant really sum past 2^63-1.
            for (; i < changes.size() && changes.get(i).atMillis() == atMillis; i++) {
                try {
                    held = Math.addExact(held, changes.get(i).delta());
                } catch (ArithmeticException overflow) {
                    return new Sweep(Long.MAX_VALUE, violation(atMillis, Long.MAX_VALUE));
                }
            }
            peak = Math.max(peak, held);
            if (held > capacity) {
                return new Sweep(peak, violation(atMillis, held));
            }
        }
        return new Sweep(peak, null);
    }

    private List<Change> changes() {
        List<Change> changes = new ArrayList<>();
        for (Admission admission : admissions) {
            for (Segment segment : segments(admission)) {
                changes.add(new Change(segment.fromMillis(), segment.amount()));
                changes.add(new Change(segment.untilMillis(), -segment.amount()));
            }
        }
        changes.sort(Comparator.comparingLong(Change::atMillis).thenComparingLong(Change::delta));
        return changes;
    }

    /** The pieces of an admission's life with a constant lower-bound amount, empty ones left out. */
    private List<Segment> segments(Admission admission) {
        long startMillis = admission.reservedAtMillis();
        long endMillis = saturatingAdd(startMillis, holdMillis);
        long fromMillis = Math.min(admission.completedFromMillis(), endMillis);
        long untilMillis = Math.min(admission.completedUntilMillis(), endMillis);
        List<Segment> segments = new ArrayList<>(3);
        addSegment(segments, admission, startMillis, fromMillis, admission.amount());
        addSegment(
                segments,
                admission,
                fromMillis,
                untilMillis,
                Math.min(admission.amount(), admission.reconciledAmount()));
        addSegment(segments, admission, untilMillis, endMillis, admission.reconciledAmount());
        return segments;
    }

    private static void addSegment(
            List<Segment> segments, Admission admission, long fromMillis, long untilMillis, long amount) {
        if (fromMillis < untilMillis && amount > 0) {
            segments.add(new Segment(admission, fromMillis, untilMillis, amount));
        }
    }

    private Violation violation(long atMillis, long heldAmount) {
        List<String> leaseIds = new ArrayList<>();
        for (Admission admission : admissions) {
            for (Segment segment : segments(admission)) {
                if (segment.fromMillis() <= atMillis && atMillis < segment.untilMillis()) {
                    leaseIds.add(admission.leaseId() + "=" + segment.amount());
                }
            }
        }
        return new Violation(key, atMillis, heldAmount, capacity, leaseIds);
    }

    private static long saturatingAdd(long a, long b) {
        long sum = a + b;
        // Overflow happened iff both operands have the sign opposite to the result's.
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }

    private static void requireAmount(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }
}
