package dev.ratelimiter.tigerbeetle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tigerbeetle.TransferFlags;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shape of every transfer the backend creates: flags, links, timeouts, amounts, accounts. */
class ChainsTest {
    private final LedgerIds ids = LedgerIds.standard();
    private final LedgerId set = new LedgerId(42, 7);

    @Test
    void reserveLinksEveryPendingTransferButTheLast() {
        List<Transfer> chain = Chains.reserve(
                ids,
                "lease-1",
                List.of(
                        new Chains.HoldPlan("a", 3, 60),
                        new Chains.HoldPlan("b", 1, 30),
                        new Chains.HoldPlan("c", 5, 4_294_967_295L)),
                set,
                1_700_000_000_000L);

        assertEquals(3, chain.size());
        assertEquals(TransferFlags.PENDING | TransferFlags.LINKED, chain.get(0).flags());
        assertEquals(TransferFlags.PENDING | TransferFlags.LINKED, chain.get(1).flags());
        assertEquals(TransferFlags.PENDING, chain.get(2).flags());
        assertTrue(Chains.isChain(chain));
    }

    @Test
    void reserveHoldsEachAmountFromTheLimitAccountForItsWindowOrTimeout() {
        List<Transfer> chain = Chains.reserve(
                ids,
                "lease-1",
                List.of(new Chains.HoldPlan("a", 3, 60), new Chains.HoldPlan("b", 1, 4_294_967_295L)),
                set,
                1_700_000_000_000L);

        Transfer first = chain.get(0);
        assertEquals(ids.reserve("lease-1", "a"), first.id());
        assertEquals(ids.limitAccount("a"), first.debitAccount());
        assertEquals(ids.operatorAccount(), first.creditAccount());
        assertEquals(3, first.amount());
        assertEquals(60, first.timeoutSeconds());
        assertEquals(LedgerId.NONE, first.pendingId());
        assertEquals(set, first.userData128());
        assertEquals(1_700_000_000_000L, first.userData64());
        assertEquals(4_294_967_295L, chain.get(1).timeoutSeconds());
        assertEquals(ids.limitAccount("b"), chain.get(1).debitAccount());
    }

    @Test
    void aSingleRequirementIsAChainOfOneWithoutLink() {
        List<Transfer> chain = Chains.reserve(ids, "l", List.of(new Chains.HoldPlan("a", 1, 1)), set, 0);
        assertEquals(
                List.of(TransferFlags.PENDING),
                chain.stream().map(Transfer::flags).toList());
        assertThrows(IllegalArgumentException.class, () -> Chains.reserve(ids, "l", List.of(), set, 0));
    }

    @Test
    void releaseVoidsTheWholeHold() {
        List<Transfer> chain = Chains.release(ids, "lease-1", "c", 2);
        assertEquals(1, chain.size());
        Transfer voided = chain.get(0);
        assertEquals(ids.voidOf("lease-1", "c"), voided.id());
        assertEquals(ids.reserve("lease-1", "c"), voided.pendingId());
        assertEquals(TransferFlags.VOID_PENDING_TRANSFER, voided.flags());
        assertEquals(2, voided.amount());
        assertEquals(0, voided.timeoutSeconds());
        assertEquals(ids.limitAccount("c"), voided.debitAccount());
        assertEquals(ids.operatorAccount(), voided.creditAccount());
    }

    @Test
    void shrinkVoidsAndReReservesTheActualAmountForTheRemainingTime() {
        List<Transfer> chain = Chains.shrink(ids, "lease-1", "tpm", 100, 40, 17);
        assertEquals(2, chain.size());
        assertEquals(
                TransferFlags.VOID_PENDING_TRANSFER | TransferFlags.LINKED,
                chain.get(0).flags());
        assertEquals(100, chain.get(0).amount());
        Transfer rereserve = chain.get(1);
        assertEquals(ids.rereserve("lease-1", "tpm"), rereserve.id());
        assertEquals(TransferFlags.PENDING, rereserve.flags());
        assertEquals(40, rereserve.amount());
        assertEquals(17, rereserve.timeoutSeconds());
        assertEquals(ids.limitAccount("tpm"), rereserve.debitAccount());
    }

    @Test
    void shrinkToZeroOnlyVoids() {
        List<Transfer> chain = Chains.shrink(ids, "lease-1", "tpm", 100, 0, 17);
        assertEquals(1, chain.size());
        assertEquals(TransferFlags.VOID_PENDING_TRANSFER, chain.get(0).flags());
    }

    @Test
    void shrinkRefusesAnActualThatIsNotBelowTheReservedAmount() {
        assertThrows(IllegalArgumentException.class, () -> Chains.shrink(ids, "l", "k", 10, 10, 5));
        assertThrows(IllegalArgumentException.class, () -> Chains.shrink(ids, "l", "k", 10, -1, 5));
    }

    @Test
    void overageHoldsTheDifferenceForAtLeastOneSecond() {
        Transfer overage = Chains.overage(ids, "lease-1", "tpm", 25, 0).get(0);
        assertEquals(ids.rereserve("lease-1", "tpm"), overage.id());
        assertEquals(TransferFlags.PENDING, overage.flags());
        assertEquals(25, overage.amount());
        assertEquals(1, overage.timeoutSeconds());
        assertEquals(9, Chains.overage(ids, "lease-1", "tpm", 25, 9).get(0).timeoutSeconds());
    }

    @Test
    void debtPostsTheOverageFromTheDebtAccount() {
        Transfer debt = Chains.debt(ids, "lease-1", "tpm", 25).get(0);
        assertEquals(ids.debt("lease-1", "tpm"), debt.id());
        assertEquals(ids.debtAccount("tpm"), debt.debitAccount());
        assertEquals(ids.operatorAccount(), debt.creditAccount());
        assertEquals(25, debt.amount());
        assertEquals(TransferFlags.NONE, debt.flags());
        assertEquals(0, debt.timeoutSeconds());
    }

    @Test
    void increasePostsTheDifferenceFromTheOperator() {
        Transfer increase = Chains.increase(ids, "k", 2, 10, 25, 0);
        assertEquals(ids.capacityChange("k", 2, 10, 25, 0), increase.id());
        assertEquals(ids.operatorAccount(), increase.debitAccount());
        assertEquals(ids.limitAccount("k"), increase.creditAccount());
        assertEquals(15, increase.amount());
        assertEquals(TransferFlags.NONE, increase.flags());
        assertThrows(IllegalArgumentException.class, () -> Chains.increase(ids, "k", 2, 10, 10, 0));
    }

    @Test
    void decreasePostsTheDifferenceBackToTheOperator() {
        Transfer decrease = Chains.decrease(ids, "k", 5, 25, 10, 3);
        assertEquals(ids.capacityChange("k", 5, 25, 10, 3), decrease.id());
        assertEquals(ids.limitAccount("k"), decrease.debitAccount());
        assertEquals(ids.operatorAccount(), decrease.creditAccount());
        assertEquals(15, decrease.amount());
        assertEquals(TransferFlags.NONE, decrease.flags());
        assertThrows(IllegalArgumentException.class, () -> Chains.decrease(ids, "k", 5, 10, 25, 0));
    }

    @Test
    void recognisesWellFormedChains() {
        Transfer single = Chains.debt(ids, "l", "k", 1).get(0);
        assertTrue(Chains.isChain(List.of(single)));
        assertFalse(Chains.isChain(List.of()));
        assertFalse(Chains.isChain(List.of(single.linked(true))));
        assertFalse(Chains.isChain(List.of(single, single)));
        assertTrue(Chains.isChain(Chains.link(List.of(single, single, single))));
    }

    @Test
    void refusesTimeoutsBeyondThirtyTwoBits() {
        assertThrows(
                IllegalArgumentException.class,
                () -> Chains.reserve(ids, "l", List.of(new Chains.HoldPlan("a", 1, 4_294_967_296L)), set, 0));
    }
}
