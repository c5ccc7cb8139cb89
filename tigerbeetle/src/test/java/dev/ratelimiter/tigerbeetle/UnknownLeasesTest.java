package dev.ratelimiter.tigerbeetle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The bounded memory of reserves whose answer was lost: who settles them, when, and what is dropped. */
class UnknownLeasesTest {
    private static final long GRACE_MS = 2_000;

    @Test
    void settlesOnlyEntriesOlderThanTheGraceOldestFirst() {
        UnknownLeases unknown = new UnknownLeases(10);
        unknown.remember(entry("a", 1_000));
        unknown.remember(entry("b", 2_000));
        unknown.remember(entry("c", 5_000));

        List<UnknownLeases.Entry> due = unknown.claimDue(4_500, GRACE_MS, 10);

        assertEquals(
                List.of("a", "b"),
                due.stream().map(UnknownLeases.Entry::leaseId).toList());
        assertEquals(3, unknown.size(), "claimed entries stay until their settling ends");
        assertEquals(UnknownLeases.Retry.SETTLING, unknown.takeForRetry("a"));
        assertEquals(UnknownLeases.Retry.TAKEN_BY_RETRY, unknown.takeForRetry("c"));
        assertEquals(UnknownLeases.Retry.NOT_UNKNOWN, unknown.takeForRetry("c"));
    }

    @Test
    void aFailedSettlingIsTriedAgainAndASuccessfulOneIsForgotten() {
        UnknownLeases unknown = new UnknownLeases(10);
        unknown.remember(entry("a", 0));
        unknown.remember(entry("b", 0));
        List<UnknownLeases.Entry> due = unknown.claimDue(GRACE_MS, GRACE_MS, 10);

        unknown.endSettling(due.get(0), true);
        unknown.endSettling(due.get(1), false);

        assertEquals(1, unknown.size());
        assertEquals(
                List.of("b"),
                unknown.claimDue(GRACE_MS, GRACE_MS, 10).stream()
                        .map(UnknownLeases.Entry::leaseId)
                        .toList());
    }

    @Test
    void aRetriedLeaseIsNeverSettled() {
        UnknownLeases unknown = new UnknownLeases(10);
        unknown.remember(entry("a", 0));

        assertEquals(UnknownLeases.Retry.TAKEN_BY_RETRY, unknown.takeForRetry("a"));

        assertTrue(unknown.claimDue(10 * GRACE_MS, GRACE_MS, 10).isEmpty());
    }

    @Test
    void dropsEntriesWhoseHoldsHaveSurelyExpired() {
        UnknownLeases unknown = new UnknownLeases(10);
        unknown.remember(new UnknownLeases.Entry("old", requirements(), chain("old"), 0, 3_000));

        assertTrue(unknown.claimDue(3_000, GRACE_MS, 10).isEmpty());
        assertEquals(0, unknown.size());
    }

    @Test
    void keepsAtMostItsCapacityDroppingTheOldest() {
        UnknownLeases unknown = new UnknownLeases(2);
        unknown.remember(entry("a", 0));
        unknown.remember(entry("b", 1));
        unknown.remember(entry("c", 2));

        assertEquals(2, unknown.size());
        assertEquals(UnknownLeases.Retry.NOT_UNKNOWN, unknown.takeForRetry("a"));
        assertEquals(UnknownLeases.Retry.TAKEN_BY_RETRY, unknown.takeForRetry("c"));
    }

    @Test
    void refusesAChainThatDoesNotHoldOneTransferPerRequirement() {
        assertThrows(
                IllegalArgumentException.class, () -> new UnknownLeases.Entry("a", requirements(), List.of(), 0, 1));
    }

    private static UnknownLeases.Entry entry(String leaseId, long sentAtMs) {
        return new UnknownLeases.Entry(leaseId, requirements(), chain(leaseId), sentAtMs, sentAtMs + 3_600_000);
    }

    private static TreeMap<String, Long> requirements() {
        return new TreeMap<>(Map.of("rpm", 1L));
    }

    private static List<Transfer> chain(String leaseId) {
        LedgerIds ids = LedgerIds.standard();
        return Chains.reserve(
                ids, leaseId, List.of(new Chains.HoldPlan("rpm", 1, 60)), LedgerIds.requirementSet(requirements()), 0);
    }
}
