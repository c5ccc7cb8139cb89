package dev.ratelimiter.tigerbeetle;

import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.rules.AdmissionRules;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What this server remembers of one lease: enough to complete it (which keys, amounts, kinds, when
 * it was reserved) and to answer a repeat without asking the cluster. The cluster stays the truth;
 * a forgotten record only means the cluster is asked, or (for complete) that the holds expire by
 * themselves (SPEC 2.3). Immutable and thread-safe; {@link LeaseBook} replaces records on change.
 *
 * @param requirements the requirements as a set (key to amount), to tell a repeat from a different request
 * @param holds the holds taken, sorted by key; empty for a denied lease
 * @param reservedAtUnixMs when the holds were taken; 0 for a denied lease
 * @param retryAfterMs for a denied lease, the hint it was given
 */
record LeaseRecord(
        String leaseId,
        Map<String, Long> requirements,
        List<Hold> holds,
        long reservedAtUnixMs,
        Status status,
        long retryAfterMs) {

    /** Where a lease stands. */
    enum Status {
        /** Holds taken and not completed (some may have expired). */
        LIVE,
        /** A complete is being applied; another complete answers ok, a repeat answers lease_expired. */
        COMPLETING,
        /** Completed; only re-reserved rolling amounts may remain until they expire. */
        COMPLETED,
        /** Denied for capacity: a repeat is denied again (SPEC 2.2). */
        DENIED
    }

    /** One hold of the lease: its key, amount and kind, and when the cluster lets it expire at the latest. */
    record Hold(String key, long amount, LimitKind kind, long expiresAtUnixMs) {}

    LeaseRecord {
        Objects.requireNonNull(leaseId, "leaseId");
        Objects.requireNonNull(status, "status");
        requirements = Map.copyOf(requirements);
        holds = List.copyOf(holds);
    }

    static LeaseRecord live(String leaseId, Map<String, Long> requirements, List<Hold> holds, long reservedAtUnixMs) {
        return new LeaseRecord(leaseId, requirements, holds, reservedAtUnixMs, Status.LIVE, 0);
    }

    static LeaseRecord denied(String leaseId, Map<String, Long> requirements, long retryAfterMs) {
        return new LeaseRecord(leaseId, requirements, List.of(), 0, Status.DENIED, retryAfterMs);
    }

    /** What the admission rules need to answer a repeat of this lease. */
    AdmissionRules.KnownLease known() {
        return switch (status) {
            case LIVE -> AdmissionRules.KnownLease.live(leaseId, reservedAtUnixMs, firstExpiryUnixMs());
            case COMPLETING, COMPLETED -> AdmissionRules.KnownLease.finished(leaseId);
            case DENIED -> AdmissionRules.KnownLease.denied(leaseId, retryAfterMs);
        };
    }

    LeaseRecord withStatus(Status next) {
        return new LeaseRecord(leaseId, requirements, holds, reservedAtUnixMs, next, retryAfterMs);
    }

    /** When the first hold expires: from then on a repeat answers {@code lease_expired} (as the memory backend does). */
    long firstExpiryUnixMs() {
        long first = Long.MAX_VALUE;
        for (Hold hold : holds) {
            first = Math.min(first, hold.expiresAtUnixMs());
        }
        return holds.isEmpty() ? reservedAtUnixMs : first;
    }

    /** When the last rolling hold expires, or 0 without rolling holds. */
    long lastRollingExpiryUnixMs() {
        long last = 0;
        for (Hold hold : holds) {
            if (hold.kind() == LimitKind.ROLLING) {
                last = Math.max(last, hold.expiresAtUnixMs());
            }
        }
        return last;
    }

    /** When the last hold expires: from then on there is nothing left to complete. */
    long lastExpiryUnixMs() {
        long last = reservedAtUnixMs;
        for (Hold hold : holds) {
            last = Math.max(last, hold.expiresAtUnixMs());
        }
        return last;
    }
}
