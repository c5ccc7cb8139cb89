package dev.ratelimiter.core.journal;

import java.util.List;
import java.util.Objects;

/**
 * One entry of the journal or of a snapshot. Records carry outcomes, never requests: a complete
 * records the amount every hold kept and the debt it added, so replaying a record needs no capacity
 * check and gives the same state whatever the order of records of different leases.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface JournalRecord {

    /** An allowed reserve: the lease holds {@code holds} (request order) from {@code reservedAtMillis}. */
    record Reserved(String leaseId, long reservedAtMillis, List<HeldAmount> holds) implements JournalRecord {
        public Reserved {
            Objects.requireNonNull(leaseId, "leaseId");
            holds = List.copyOf(holds);
        }
    }

    /**
     * A complete of a live lease: {@code amountsAfter[i]} is what hold {@code i} of the lease still
     * counts (0: released or expired), {@code debts} what each key's debt grew by.
     */
    record Completed(String leaseId, List<Long> amountsAfter, List<KeyAmount> debts) implements JournalRecord {
        public Completed {
            Objects.requireNonNull(leaseId, "leaseId");
            amountsAfter = List.copyOf(amountsAfter);
            debts = List.copyOf(debts);
        }
    }

    /** A lease denied for capacity: repeats are denied again until {@code forgetAtMillis}. */
    record Denied(String leaseId, long retryAfterMs, long forgetAtMillis) implements JournalRecord {
        public Denied {
            Objects.requireNonNull(leaseId, "leaseId");
        }
    }

    /** Snapshot only: a finished lease id that answers repeats with {@code lease_expired}. */
    record Tombstone(String leaseId) implements JournalRecord {
        public Tombstone {
            Objects.requireNonNull(leaseId, "leaseId");
        }
    }

    /** Snapshot only: a hold of a completed lease that still counts until it expires. */
    record OrphanHold(String key, long amount, long expiresAtMillis) implements JournalRecord {
        public OrphanHold {
            Objects.requireNonNull(key, "key");
        }
    }

    /** Snapshot only: a key's total debt. */
    record Debt(String key, long amount) implements JournalRecord {
        public Debt {
            Objects.requireNonNull(key, "key");
        }
    }

    /** Snapshot only, always last: how many records came before it, so that a short snapshot is caught. */
    record SnapshotEnd(long recordCount) implements JournalRecord {}

    /** One hold of a reserve: {@code amount} of {@code key} until {@code expiresAtMillis}. */
    record HeldAmount(String key, long amount, long expiresAtMillis, boolean concurrency) {
        public HeldAmount {
            Objects.requireNonNull(key, "key");
        }
    }

    /** An amount for one key (debt added by a complete). */
    record KeyAmount(String key, long amount) {
        public KeyAmount {
            Objects.requireNonNull(key, "key");
        }
    }
}
