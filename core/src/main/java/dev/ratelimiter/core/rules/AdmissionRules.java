package dev.ratelimiter.core.rules;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.retry.RetryHints;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * The decisions of SPEC 2 that every backend makes alike; each backend supplies its state (under its
 * own locks) and applies the answer. Stateless and thread-safe.
 *
 * <h2>A reserve, in this order (docs/DECISIONS.md)</h2>
 * <ol>
 *   <li>A lease id the backend remembers is a repeat, answered by {@link #repeat} from the lease's
 *       fate first: finished (completed) answers {@code lease_expired}; denied answers a denial
 *       again; live but with a hold expired answers {@code lease_expired}; only a live lease compares
 *       requirements: the same set answers {@code allowed} at the original time, another set
 *       {@code invalid_request}.</li>
 *   <li>Then {@link #refusalBeforeFit}: in request order, the first requirement whose key is unknown,
 *       decreasing, or smaller than the amount answers; nothing is held or remembered.</li>
 *   <li>Then the fit of every requirement, measured by the backend; a denial carries
 *       {@link #deniedRetryAfterMs} of a key that did not fit (the largest, when a backend knows
 *       several).</li>
 * </ol>
 *
 * <h2>A complete</h2>
 * Each live hold is settled by {@link #settle}; the overage of a rolling hold goes where
 * {@link #overage} says.
 */
public final class AdmissionRules {
    private AdmissionRules() {}

    /** What a reserve needs to know of a limit key, read by the backend under its own lock. */
    public interface KeyView {
        /** Whether a lower capacity waits to apply: the key admits nothing new (SPEC 2.4). */
        boolean decreasing();

        /** The capacity in force now (the old one while decreasing). */
        long capacity();
    }

    /** What became of a lease id a backend remembers. */
    public enum Fate {
        /** Admitted and not completed (its holds may have expired since). */
        LIVE,
        /** Completed, settled or dropped: nothing it held can be used any more. */
        FINISHED,
        /** Denied for lack of capacity: sticky (SPEC 2.2). */
        DENIED
    }

    /**
     * A lease id as a backend remembers it.
     *
     * @param reservedAtUnixMs when its holds were taken (LIVE)
     * @param firstExpiryUnixMs when the first of its holds expires (LIVE)
     * @param retryAfterMs the hint its denial carried (DENIED)
     */
    public record KnownLease(
            String leaseId, Fate fate, long reservedAtUnixMs, long firstExpiryUnixMs, long retryAfterMs) {
        public KnownLease {
            Objects.requireNonNull(leaseId, "leaseId");
            Objects.requireNonNull(fate, "fate");
        }

        public static KnownLease live(String leaseId, long reservedAtUnixMs, long firstExpiryUnixMs) {
            return new KnownLease(leaseId, Fate.LIVE, reservedAtUnixMs, firstExpiryUnixMs, 0);
        }

        public static KnownLease finished(String leaseId) {
            return new KnownLease(leaseId, Fate.FINISHED, 0, 0, 0);
        }

        public static KnownLease denied(String leaseId, long retryAfterMs) {
            return new KnownLease(leaseId, Fate.DENIED, 0, 0, retryAfterMs);
        }
    }

    /** Whether the requirements of a repeat are those the lease holds; asked only of a live lease. */
    @FunctionalInterface
    public interface SameRequirements {
        boolean test();
    }

    /**
     * The answer to a repeated reserve of {@code known} at {@code nowUnixMs} (SPEC 2.2). The lease's
     * fate answers before its requirements are compared: a lease that is gone or denied cannot be
     * used whatever the repeat asks for, and telling the client so ({@code lease_expired}, a denial)
     * is more useful than {@code invalid_request}.
     */
    public static ReserveResponse repeat(KnownLease known, SameRequirements sameRequirements, long nowUnixMs) {
        switch (known.fate()) {
            case FINISHED:
                return ReserveResponse.refused(new Refusal.LeaseExpired(known.leaseId()));
            case DENIED:
                return ReserveResponse.denied(known.retryAfterMs());
            case LIVE:
            default:
                if (nowUnixMs >= known.firstExpiryUnixMs()) {
                    return ReserveResponse.refused(new Refusal.LeaseExpired(known.leaseId()));
                }
                return sameRequirements.test()
                        ? ReserveResponse.allowed(known.reservedAtUnixMs())
                        : ReserveResponse.refused(Refusal.INVALID_REQUEST);
        }
    }

    /**
     * The refusal of a new reserve before its fit is measured, or null when every key may be
     * measured: in request order, the first requirement whose key is unknown ({@code keys[i]} null),
     * decreasing (with {@code decreasingRetryMs}), or whose capacity is below the amount answers.
     *
     * @param keys the view of each requirement's key, index for index; null for an unknown key
     */
    public static ReserveResponse refusalBeforeFit(
            List<Requirement> requirements, KeyView[] keys, long decreasingRetryMs) {
        for (int i = 0; i < keys.length; i++) {
            Requirement requirement = requirements.get(i);
            KeyView key = keys[i];
            if (key == null) {
                return ReserveResponse.refused(new Refusal.UnknownLimitKey(requirement.key()));
            }
            if (key.decreasing()) {
                return ReserveResponse.refused(new Refusal.LimitDecreasing(requirement.key()), decreasingRetryMs);
            }
            if (requirement.amount() > key.capacity()) {
                return ReserveResponse.refused(new Refusal.ExceedsCapacity(requirement.key()));
            }
        }
        return null;
    }

    /**
     * The retry hint of a denial because {@code definition}'s key did not fit (SPEC 6), which also
     * counts the denial in the key's streak; at least 1, as a capacity denial promises.
     */
    public static long deniedRetryAfterMs(RetryHints hints, LimitDefinition definition) {
        return Math.max(1, hints.denied(definition));
    }

    /** Whether two requirement lists, each without a repeated key, name the same keys with the same amounts. */
    public static boolean sameAsSet(List<Requirement> held, List<Requirement> repeated) {
        if (held.size() != repeated.size()) {
            return false;
        }
        if (held.size() == 1) {
            return held.get(0).equals(repeated.get(0));
        }
        return new HashSet<>(held).equals(new HashSet<>(repeated));
    }

    /** How a complete settles one live hold of its lease (SPEC 2.3). */
    public enum Settlement {
        /** A concurrency hold: release it all. */
        RELEASE,
        /** No actual for the key, or the actual equals the hold: keep it as it is until it expires. */
        KEEP,
        /** An actual below the hold: keep only the actual until the original expiry (0 frees it all). */
        SHRINK,
        /** An actual above the hold: the difference is overage, routed by {@link #overage}. */
        OVERAGE
    }

    /**
     * How a complete settles a live hold of {@code heldAmount} of a {@code kind} key, given the actual
     * sent for the key, or a negative value when none was sent (usage unknown: pessimistic, keep).
     * A hold that has already expired is past its window: the backend settles nothing for it.
     */
    public static Settlement settle(LimitKind kind, long heldAmount, long actual) {
        if (kind == LimitKind.CONCURRENCY) {
            return Settlement.RELEASE;
        }
        if (actual < 0 || actual == heldAmount) {
            return Settlement.KEEP;
        }
        return actual < heldAmount ? Settlement.SHRINK : Settlement.OVERAGE;
    }

    /** Where the overage of a rolling hold goes. */
    public enum OverageRoute {
        /** Added to the hold until its original expiry: it takes capacity. */
        HOLD,
        /** Added to the key's debt (overage {@code debt}). */
        DEBT,
        /** Dropped (overage {@code deny}). */
        DROP
    }

    /**
     * Where overage goes: held while the key is not decreasing and it fits (a pending decrease is
     * waiting for free capacity, so overage never takes it), else to debt under overage
     * {@code debt}, else dropped. A backend that learns the fit only by trying (TigerBeetle) asks
     * with {@code fits = true} first and again with {@code false} when the hold was refused.
     */
    public static OverageRoute overage(boolean decreasing, boolean fits, Overage policy) {
        if (!decreasing && fits) {
            return OverageRoute.HOLD;
        }
        return policy == Overage.DEBT ? OverageRoute.DEBT : OverageRoute.DROP;
    }
}
