package dev.ratelimiter.tigerbeetle;

import static com.tigerbeetle.CreateTransferResult.ExceedsCredits;
import static com.tigerbeetle.CreateTransferResult.Exists;
import static com.tigerbeetle.CreateTransferResult.IdAlreadyFailed;
import static com.tigerbeetle.CreateTransferResult.LinkedEventFailed;
import static com.tigerbeetle.CreateTransferResult.Ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tigerbeetle.CreateTransferResult;
import dev.ratelimiter.tigerbeetle.Outcomes.CapacityVerdict;
import dev.ratelimiter.tigerbeetle.Outcomes.ReserveVerdict;
import dev.ratelimiter.tigerbeetle.Outcomes.StepKind;
import dev.ratelimiter.tigerbeetle.Outcomes.StepVerdict;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every one of the client's {@link CreateTransferResult} values, in every place the backend reads
 * one. The expected meaning is spelled out here; anything not listed must be an operating failure.
 */
class OutcomesTest {
    private static final Set<CreateTransferResult> EXISTS_FAMILY = EnumSet.of(
            Exists,
            CreateTransferResult.ExistsWithDifferentFlags,
            CreateTransferResult.ExistsWithDifferentPendingId,
            CreateTransferResult.ExistsWithDifferentTimeout,
            CreateTransferResult.ExistsWithDifferentDebitAccountId,
            CreateTransferResult.ExistsWithDifferentCreditAccountId,
            CreateTransferResult.ExistsWithDifferentAmount,
            CreateTransferResult.ExistsWithDifferentUserData128,
            CreateTransferResult.ExistsWithDifferentUserData64,
            CreateTransferResult.ExistsWithDifferentUserData32,
            CreateTransferResult.ExistsWithDifferentLedger,
            CreateTransferResult.ExistsWithDifferentCode);
    private static final Set<CreateTransferResult> HOLD_GONE = EnumSet.of(
            CreateTransferResult.PendingTransferExpired,
            CreateTransferResult.PendingTransferAlreadyVoided,
            CreateTransferResult.PendingTransferAlreadyPosted,
            CreateTransferResult.PendingTransferNotFound,
            IdAlreadyFailed);

    @Test
    void mapsEveryResultOfAReserveChain() {
        for (CreateTransferResult result : CreateTransferResult.values()) {
            ReserveVerdict expected;
            if (result == Ok) {
                expected = ReserveVerdict.ADMITTED;
            } else if (result == ExceedsCredits) {
                expected = ReserveVerdict.NO_CAPACITY;
            } else if (result == IdAlreadyFailed) {
                expected = ReserveVerdict.DENIED_BEFORE;
            } else if (EXISTS_FAMILY.contains(result)) {
                expected = ReserveVerdict.REPEAT;
            } else {
                expected = ReserveVerdict.FAILED;
            }
            assertEquals(expected, Outcomes.reserveVerdict(result), result.name());
        }
    }

    @Test
    void findsTheCauseOfAFailedChainBehindLinkedFailures() {
        Outcomes.ReserveOutcome outcome =
                Outcomes.ofReserve(List.of(LinkedEventFailed, ExceedsCredits, LinkedEventFailed));
        assertEquals(ReserveVerdict.NO_CAPACITY, outcome.verdict());
        assertEquals(1, outcome.causeIndex());

        Outcomes.ReserveOutcome admitted = Outcomes.ofReserve(List.of(Ok, Ok));
        assertEquals(ReserveVerdict.ADMITTED, admitted.verdict());

        Outcomes.ReserveOutcome repeat = Outcomes.ofReserve(List.of(Exists, LinkedEventFailed));
        assertEquals(ReserveVerdict.REPEAT, repeat.verdict());
        assertEquals(0, repeat.causeIndex());
    }

    @Test
    void treatsAChainOfOnlyLinkedFailuresAsAnOperatingFailure() {
        assertEquals(
                ReserveVerdict.FAILED,
                Outcomes.ofReserve(List.of(LinkedEventFailed, Ok)).verdict());
        assertEquals(
                StepVerdict.FAILED, Outcomes.ofStep(StepKind.SHRINK, List.of(LinkedEventFailed, LinkedEventFailed)));
    }

    /**
     * Every step of a complete: any {@code exists} result means an earlier complete of the lease
     * did the step, possibly with other actuals, and the first complete stands (SPEC 5.2). Before,
     * {@code exists_with_different_amount} made a retried complete answer backend_error forever.
     */
    @Test
    void treatsEveryExistsResultOfEveryStepAsDone() {
        for (StepKind kind : StepKind.values()) {
            for (CreateTransferResult result : EXISTS_FAMILY) {
                assertEquals(StepVerdict.DONE, Outcomes.stepVerdict(kind, 0, result), kind + " " + result.name());
                assertEquals(StepVerdict.DONE, Outcomes.stepVerdict(kind, 1, result), kind + " " + result.name());
            }
        }
    }

    @Test
    void mapsEveryResultOfAVoid() {
        for (CreateTransferResult result : CreateTransferResult.values()) {
            StepVerdict expected = result == Ok || HOLD_GONE.contains(result) || EXISTS_FAMILY.contains(result)
                    ? StepVerdict.DONE
                    : StepVerdict.FAILED;
            assertEquals(expected, Outcomes.stepVerdict(StepKind.RELEASE, 0, result), result.name());
            assertEquals(expected, Outcomes.stepVerdict(StepKind.SHRINK, 0, result), "shrink void " + result.name());
        }
    }

    @Test
    void mapsEveryResultOfAReReserveAfterItsVoid() {
        Set<CreateTransferResult> done = EnumSet.of(Ok, ExceedsCredits, IdAlreadyFailed);
        done.addAll(EXISTS_FAMILY);
        for (CreateTransferResult result : CreateTransferResult.values()) {
            StepVerdict expected = done.contains(result) ? StepVerdict.DONE : StepVerdict.FAILED;
            assertEquals(expected, Outcomes.stepVerdict(StepKind.SHRINK, 1, result), result.name());
        }
    }

    @Test
    void mapsEveryResultOfAnOverageReserve() {
        for (CreateTransferResult result : CreateTransferResult.values()) {
            StepVerdict expected;
            if (result == Ok || EXISTS_FAMILY.contains(result)) {
                expected = StepVerdict.DONE;
            } else if (result == ExceedsCredits || result == IdAlreadyFailed) {
                expected = StepVerdict.DID_NOT_FIT;
            } else {
                expected = StepVerdict.FAILED;
            }
            assertEquals(expected, Outcomes.stepVerdict(StepKind.OVERAGE, 0, result), result.name());
        }
    }

    @Test
    void mapsEveryResultOfADebtTransferAndOfTheCompletionMarker() {
        for (CreateTransferResult result : CreateTransferResult.values()) {
            StepVerdict expected =
                    result == Ok || EXISTS_FAMILY.contains(result) ? StepVerdict.DONE : StepVerdict.FAILED;
            assertEquals(expected, Outcomes.stepVerdict(StepKind.DEBT, 0, result), result.name());
            assertEquals(expected, Outcomes.stepVerdict(StepKind.COMPLETION, 0, result), result.name());
        }
    }

    @Test
    void mapsEveryResultOfACapacityChange() {
        for (CreateTransferResult result : CreateTransferResult.values()) {
            CapacityVerdict expected;
            if (result == Ok || result == Exists) {
                expected = CapacityVerdict.APPLIED;
            } else if (result == ExceedsCredits) {
                expected = CapacityVerdict.DID_NOT_FIT;
            } else if (result == IdAlreadyFailed) {
                expected = CapacityVerdict.ID_USED_BEFORE;
            } else {
                expected = CapacityVerdict.FAILED;
            }
            assertEquals(expected, Outcomes.ofCapacity(result), result.name());
        }
    }
}
