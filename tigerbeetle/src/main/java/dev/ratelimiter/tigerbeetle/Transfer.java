package dev.ratelimiter.tigerbeetle;

import com.tigerbeetle.TransferFlags;
import java.util.Objects;

/**
 * One transfer to create, in the backend's own terms (the client's {@code TransferBatch} is a
 * mutable cursor and stays inside {@link TigerBeetleLedgerClient}). Every transfer of this backend
 * uses ledger 1 and code 1. Immutable and thread-safe.
 *
 * @param id the transfer's id, derived from its label
 * @param debitAccount the account debited (for a void: the pending transfer's, which TigerBeetle checks)
 * @param creditAccount the account credited (for a void: the pending transfer's)
 * @param amount the amount, at most 2^63-1
 * @param pendingId for a void, the pending transfer it voids; otherwise {@link LedgerId#NONE}
 * @param userData128 for a reserve, the fingerprint of the lease's requirement set
 * @param userData64 for a reserve, {@code reserved_at_unix_ms} of the lease
 * @param timeoutSeconds for a pending transfer, how long it holds (an unsigned 32-bit value); else 0
 * @param flags {@link TransferFlags} bits
 */
record Transfer(
        LedgerId id,
        LedgerId debitAccount,
        LedgerId creditAccount,
        long amount,
        LedgerId pendingId,
        LedgerId userData128,
        long userData64,
        long timeoutSeconds,
        int flags) {

    static final int LEDGER = 1;
    static final int CODE = 1;
    static final long TIMEOUT_SECONDS_MAX = 0xFFFF_FFFFL;

    Transfer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(debitAccount, "debitAccount");
        Objects.requireNonNull(creditAccount, "creditAccount");
        Objects.requireNonNull(pendingId, "pendingId");
        Objects.requireNonNull(userData128, "userData128");
        if (amount < 0) {
            throw new IllegalArgumentException("amount must not be negative, got " + amount);
        }
        if (timeoutSeconds < 0 || timeoutSeconds > TIMEOUT_SECONDS_MAX) {
            throw new IllegalArgumentException("timeoutSeconds must be from 0 to 2^32-1, got " + timeoutSeconds);
        }
    }

    boolean isLinked() {
        return TransferFlags.hasLinked(flags);
    }

    /** This transfer with the {@code linked} flag set or cleared. */
    Transfer linked(boolean linked) {
        int newFlags = linked ? flags | TransferFlags.LINKED : flags & ~TransferFlags.LINKED;
        return new Transfer(
                id, debitAccount, creditAccount, amount, pendingId, userData128, userData64, timeoutSeconds, newFlags);
    }
}
