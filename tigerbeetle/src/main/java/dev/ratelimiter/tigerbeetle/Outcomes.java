package dev.ratelimiter.tigerbeetle;

import com.tigerbeetle.CreateTransferResult;
import java.util.List;

/**
 * What TigerBeetle's answer to a chain means for the limiter (SPEC 5.2). Pure functions, so that
 * every {@link CreateTransferResult} the backend can meet is mapped and tested without a cluster.
 *
 * <p>In a failed chain TigerBeetle reports the failing transfer's own result and
 * {@code linked_event_failed} for every other one; the "cause" is the first result that is neither
 * {@code ok} nor {@code linked_event_failed}. Results it does not expect here (malformed transfers,
 * missing accounts, overflows) are operating failures: the caller answers {@code backend_error}.
 */
final class Outcomes {

    /** What a reserve chain's results mean. */
    enum ReserveVerdict {
        /** Every hold was taken. */
        ADMITTED,
        /** A key did not have the capacity ({@code exceeds_credits}); nothing was taken. */
        NO_CAPACITY,
        /** The lease was denied before ({@code id_already_failed}): a denied lease stays denied. */
        DENIED_BEFORE,
        /** The lease's transfers exist already: an idempotent repeat, or the same lease id with other requirements. */
        REPEAT,
        /** Anything else; nothing was taken. */
        FAILED
    }

    /** A reserve verdict and, unless admitted, the index in the chain of the transfer that caused it. */
    record ReserveOutcome(ReserveVerdict verdict, int causeIndex, CreateTransferResult cause) {}

    /** The steps of a complete, each a chain of its own. */
    enum StepKind {
        /** Void of a whole hold (concurrency). */
        RELEASE,
        /** Void linked to a re-reserve of the actual amount (rolling, actual below reserved). */
        SHRINK,
        /** Pending transfer of the overage (rolling, actual above reserved). */
        OVERAGE,
        /** Posted transfer of the overage to the debt account. */
        DEBT,
        /** Zero-amount posted transfer that records the completion in the ledger. */
        COMPLETION
    }

    /** What a complete step's results mean. */
    enum StepVerdict {
        /** Done now or before, or nothing left to do (the hold is gone already). */
        DONE,
        /** The overage does not fit (only for {@link StepKind#OVERAGE}): record it as debt or drop it. */
        DID_NOT_FIT,
        /** An operating failure; the step may be retried with the same ids. */
        FAILED
    }

    /** What the result of a capacity change means. */
    enum CapacityVerdict {
        /** Applied now or before. */
        APPLIED,
        /** A decrease that the free capacity does not cover yet. */
        DID_NOT_FIT,
        /** This id failed before (an earlier attempt did not fit); use the next attempt number. */
        ID_USED_BEFORE,
        FAILED
    }

    private Outcomes() {}

    /** The first result that explains a failed chain, or -1 when every transfer was created. */
    static int causeIndex(List<CreateTransferResult> results) {
        int linkedFailure = -1;
        for (int i = 0; i < results.size(); i++) {
            CreateTransferResult result = results.get(i);
            if (result == CreateTransferResult.LinkedEventFailed) {
                linkedFailure = linkedFailure < 0 ? i : linkedFailure;
            } else if (result != CreateTransferResult.Ok) {
                return i;
            }
        }
        // Only linked_event_failed and ok: malformed, since a failing chain names its cause. Report
        // the first linked failure so that the caller treats it as an operating failure.
        return linkedFailure;
    }

    static ReserveOutcome ofReserve(List<CreateTransferResult> results) {
        int index = causeIndex(results);
        if (index < 0) {
            return new ReserveOutcome(ReserveVerdict.ADMITTED, -1, CreateTransferResult.Ok);
        }
        CreateTransferResult cause = results.get(index);
        return new ReserveOutcome(reserveVerdict(cause), index, cause);
    }

    /** The meaning of the one result that caused a reserve chain to fail. */
    static ReserveVerdict reserveVerdict(CreateTransferResult cause) {
        if (cause == CreateTransferResult.Ok) {
            return ReserveVerdict.ADMITTED;
        }
        if (isExists(cause)) {
            return ReserveVerdict.REPEAT;
        }
        return switch (cause) {
            case ExceedsCredits -> ReserveVerdict.NO_CAPACITY;
            case IdAlreadyFailed -> ReserveVerdict.DENIED_BEFORE;
            default -> ReserveVerdict.FAILED;
        };
    }

    static StepVerdict ofStep(StepKind kind, List<CreateTransferResult> results) {
        int index = causeIndex(results);
        return index < 0 ? StepVerdict.DONE : stepVerdict(kind, index, results.get(index));
    }

    /**
     * The meaning of the result that caused a complete step to fail at {@code index} of its chain.
     * For a void, every "the hold is gone" answer means done: expired, already voided or posted,
     * not found (never taken, or forgotten), and {@code id_already_failed} (an earlier void found
     * it gone). A shrink that fails on its re-reserve keeps the original hold, which only counts
     * more than was used until it expires; retrying cannot change that, so it is done too.
     *
     * <p>Any {@code exists} result, also {@code exists_with_different_*}, means an earlier complete
     * of the lease did this step already, possibly with other actuals: the first complete stands
     * (SPEC 5.2), so the step is done.
     */
    static StepVerdict stepVerdict(StepKind kind, int index, CreateTransferResult cause) {
        if (cause == CreateTransferResult.Ok) {
            return StepVerdict.DONE;
        }
        if (isExists(cause)) {
            return StepVerdict.DONE;
        }
        boolean voidFailed = kind == StepKind.RELEASE || (kind == StepKind.SHRINK && index == 0);
        if (voidFailed) {
            return switch (cause) {
                case PendingTransferExpired,
                        PendingTransferAlreadyVoided,
                        PendingTransferAlreadyPosted,
                        PendingTransferNotFound,
                        IdAlreadyFailed -> StepVerdict.DONE;
                default -> StepVerdict.FAILED;
            };
        }
        return switch (kind) {
            case SHRINK ->
                switch (cause) {
                    case ExceedsCredits, IdAlreadyFailed -> StepVerdict.DONE;
                    default -> StepVerdict.FAILED;
                };
            case OVERAGE ->
                switch (cause) {
                    // An earlier attempt did not fit either; its id stays failed.
                    case ExceedsCredits, IdAlreadyFailed -> StepVerdict.DID_NOT_FIT;
                    default -> StepVerdict.FAILED;
                };
            default -> StepVerdict.FAILED;
        };
    }

    static CapacityVerdict ofCapacity(CreateTransferResult result) {
        return switch (result) {
            case Ok, Exists -> CapacityVerdict.APPLIED;
            case ExceedsCredits -> CapacityVerdict.DID_NOT_FIT;
            case IdAlreadyFailed -> CapacityVerdict.ID_USED_BEFORE;
            default -> CapacityVerdict.FAILED;
        };
    }

    /** {@code exists} or one of the {@code exists_with_different_*} results. */
    static boolean isExists(CreateTransferResult result) {
        return switch (result) {
            case Exists,
                    ExistsWithDifferentFlags,
                    ExistsWithDifferentPendingId,
                    ExistsWithDifferentTimeout,
                    ExistsWithDifferentDebitAccountId,
                    ExistsWithDifferentCreditAccountId,
                    ExistsWithDifferentAmount,
                    ExistsWithDifferentUserData128,
                    ExistsWithDifferentUserData64,
                    ExistsWithDifferentUserData32,
                    ExistsWithDifferentLedger,
                    ExistsWithDifferentCode -> true;
            default -> false;
        };
    }
}
