package dev.ratelimiter.tigerbeetle;

import com.tigerbeetle.TransferFlags;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the transfers of SPEC 5.2: the linked chain of a reserve, the voids and re-reserves of a
 * complete, the debt transfer, and capacity changes. Pure functions of their arguments, so that the
 * shape of every chain (flags, links, timeouts, amounts) is tested without a cluster.
 *
 * <p>A chain is a list whose transfers all carry {@code linked} except the last: TigerBeetle applies
 * all of them or none. Direction of value: capacity lives in the limit account as credits; a hold
 * is a pending debit of the limit account towards the operator account, which the account's
 * {@code debits_must_not_exceed_credits} flag refuses beyond the capacity.
 */
final class Chains {

    /** One requirement of a reserve, resolved to its account and hold time. */
    record HoldPlan(String key, long amount, long timeoutSeconds) {}

    private Chains() {}

    /**
     * The reserve of a lease: one pending transfer limit -> operator per requirement, in the order
     * given (the caller sorts by key so that a resubmission builds the same chain), all linked.
     */
    static List<Transfer> reserve(
            LedgerIds ids, String leaseId, List<HoldPlan> holds, LedgerId requirementSet, long reservedAtUnixMs) {
        if (holds.isEmpty()) {
            throw new IllegalArgumentException("a reserve needs at least one requirement");
        }
        List<Transfer> chain = new ArrayList<>(holds.size());
        for (HoldPlan hold : holds) {
            chain.add(new Transfer(
                    ids.reserve(leaseId, hold.key()),
                    ids.limitAccount(hold.key()),
                    ids.operatorAccount(),
                    hold.amount(),
                    LedgerId.NONE,
                    requirementSet,
                    reservedAtUnixMs,
                    hold.timeoutSeconds(),
                    TransferFlags.PENDING));
        }
        return link(chain);
    }

    /** Releases a whole hold (a concurrency key on complete): one void of the reserve transfer. */
    static List<Transfer> release(LedgerIds ids, String leaseId, String key, long reservedAmount) {
        return List.of(voidHold(ids, leaseId, key, reservedAmount));
    }

    /**
     * Shrinks a rolling hold to {@code actualAmount} (below the reserved amount): the void, linked to
     * a new pending transfer of the actual amount that ends when the original would have. Linked so
     * that a failing re-reserve keeps the original hold (never frees more than it should). With an
     * actual amount of 0 there is nothing to re-reserve and the void stands alone.
     */
    static List<Transfer> shrink(
            LedgerIds ids, String leaseId, String key, long reservedAmount, long actualAmount, long remainingSeconds) {
        if (actualAmount < 0 || actualAmount >= reservedAmount) {
            throw new IllegalArgumentException("a shrink needs 0 <= actual < reserved, got actual " + actualAmount
                    + " and reserved " + reservedAmount);
        }
        Transfer voided = voidHold(ids, leaseId, key, reservedAmount);
        if (actualAmount == 0) {
            return List.of(voided);
        }
        return link(List.of(voided, pendingRereserve(ids, leaseId, key, actualAmount, remainingSeconds)));
    }

    /** Holds the overage (actual above reserved) until the original expiry, if capacity allows. */
    static List<Transfer> overage(LedgerIds ids, String leaseId, String key, long extraAmount, long remainingSeconds) {
        return List.of(pendingRereserve(ids, leaseId, key, extraAmount, remainingSeconds));
    }

    /** Records overage that did not fit as debt: a posted transfer debt -> operator. */
    static List<Transfer> debt(LedgerIds ids, String leaseId, String key, long extraAmount) {
        return List.of(new Transfer(
                ids.debt(leaseId, key),
                ids.debtAccount(key),
                ids.operatorAccount(),
                extraAmount,
                LedgerId.NONE,
                LedgerId.NONE,
                0,
                0,
                TransferFlags.NONE));
    }

    /**
     * Records that a lease was completed: a posted transfer of amount 0 from the limit account of
     * one of its keys to the operator, which changes no balance (zero amounts are legal for clients
     * of release 0.16.0 and later).
     */
    static List<Transfer> completion(LedgerIds ids, String leaseId, String key) {
        return List.of(new Transfer(
                ids.completion(leaseId),
                ids.limitAccount(key),
                ids.operatorAccount(),
                0,
                LedgerId.NONE,
                LedgerId.NONE,
                0,
                0,
                TransferFlags.NONE));
    }

    /** Raises the capacity of {@code key} from balance {@code from} to {@code to}: operator -> limit, posted. */
    static Transfer increase(LedgerIds ids, String key, long revision, long from, long to, int attempt) {
        if (to <= from) {
            throw new IllegalArgumentException("an increase needs to > from, got " + from + " -> " + to);
        }
        return new Transfer(
                ids.capacityChange(key, revision, from, to, attempt),
                ids.operatorAccount(),
                ids.limitAccount(key),
                to - from,
                LedgerId.NONE,
                LedgerId.NONE,
                0,
                0,
                TransferFlags.NONE);
    }

    /**
     * Lowers the capacity of {@code key} from balance {@code from} to {@code to}: limit -> operator,
     * posted. TigerBeetle refuses it ({@code exceeds_credits}) unless the free capacity covers it,
     * which is exactly the condition for applying a decrease (SPEC 2.4), checked atomically.
     */
    static Transfer decrease(LedgerIds ids, String key, long revision, long from, long to, int attempt) {
        if (to >= from) {
            throw new IllegalArgumentException("a decrease needs to < from, got " + from + " -> " + to);
        }
        return new Transfer(
                ids.capacityChange(key, revision, from, to, attempt),
                ids.limitAccount(key),
                ids.operatorAccount(),
                from - to,
                LedgerId.NONE,
                LedgerId.NONE,
                0,
                0,
                TransferFlags.NONE);
    }

    /** Sets {@code linked} on every transfer but the last, and clears it on the last. */
    static List<Transfer> link(List<Transfer> transfers) {
        List<Transfer> chain = new ArrayList<>(transfers.size());
        for (int i = 0; i < transfers.size(); i++) {
            chain.add(transfers.get(i).linked(i < transfers.size() - 1));
        }
        return List.copyOf(chain);
    }

    /** Whether {@code transfers} is a well-formed chain: non-empty, linked on all but the last. */
    static boolean isChain(List<Transfer> transfers) {
        if (transfers.isEmpty()) {
            return false;
        }
        for (int i = 0; i < transfers.size(); i++) {
            if (transfers.get(i).isLinked() != (i < transfers.size() - 1)) {
                return false;
            }
        }
        return true;
    }

    private static Transfer voidHold(LedgerIds ids, String leaseId, String key, long reservedAmount) {
        return new Transfer(
                ids.voidOf(leaseId, key),
                ids.limitAccount(key),
                ids.operatorAccount(),
                reservedAmount,
                ids.reserve(leaseId, key),
                LedgerId.NONE,
                0,
                0,
                TransferFlags.VOID_PENDING_TRANSFER);
    }

    private static Transfer pendingRereserve(
            LedgerIds ids, String leaseId, String key, long amount, long remainingSeconds) {
        long timeoutSeconds = Math.max(1, Math.min(Transfer.TIMEOUT_SECONDS_MAX, remainingSeconds));
        return new Transfer(
                ids.rereserve(leaseId, key),
                ids.limitAccount(key),
                ids.operatorAccount(),
                amount,
                LedgerId.NONE,
                LedgerId.NONE,
                0,
                timeoutSeconds,
                TransferFlags.PENDING);
    }
}
