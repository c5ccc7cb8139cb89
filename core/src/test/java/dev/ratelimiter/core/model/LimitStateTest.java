package dev.ratelimiter.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LimitStateTest {
    private static final LimitDefinition TEN = LimitDefinition.rolling("k", 10, 60);

    @Test
    void aNewKeyStartsActiveAtRevisionOne() {
        LimitState state = LimitState.created(TEN);
        assertEquals(new LimitState(TEN, LimitStatus.ACTIVE, 0, 1), state);
        assertEquals("k", state.key());
    }

    @Test
    void anIncreaseAppliesAtOnce() {
        LimitState state = LimitState.created(TEN).change(LimitDefinition.rolling("k", 15, 60));
        assertEquals(new LimitState(LimitDefinition.rolling("k", 15, 60), LimitStatus.ACTIVE, 0, 2), state);
    }

    @Test
    void theSameCapacityChangesTheOtherFieldsAndTheRevision() {
        LimitDefinition relabelled =
                new LimitDefinition("k", LimitKind.ROLLING, 10, 30, 0, "tokens", "new", Overage.DENY);
        LimitState state = LimitState.created(TEN).change(relabelled);
        assertEquals(new LimitState(relabelled, LimitStatus.ACTIVE, 0, 2), state);
    }

    @Test
    void aDecreaseKeepsTheOldCapacityUntilApplied() {
        LimitDefinition lower = new LimitDefinition("k", LimitKind.ROLLING, 4, 30, 0, "tokens", "", Overage.DENY);
        LimitState state = LimitState.created(TEN).change(lower);
        assertEquals(LimitStatus.DECREASING, state.status());
        assertEquals(4, state.pendingDecreaseTo());
        assertEquals(10, state.definition().capacity());
        // Other fields change at once (SPEC 2.4).
        assertEquals(30, state.definition().windowSeconds());
        assertEquals(Overage.DENY, state.definition().overage());
        assertEquals(2, state.revision());
    }

    @Test
    void anIncreaseCancelsAPendingDecrease() {
        LimitState decreasing = LimitState.created(TEN).change(LimitDefinition.rolling("k", 4, 60));
        assertEquals(new LimitState(TEN, LimitStatus.ACTIVE, 0, 3), decreasing.change(TEN));
        assertEquals(
                new LimitState(LimitDefinition.rolling("k", 12, 60), LimitStatus.ACTIVE, 0, 3),
                decreasing.change(LimitDefinition.rolling("k", 12, 60)));
    }

    @Test
    void anotherLowerValueReplacesThePendingDecrease() {
        LimitState decreasing = LimitState.created(TEN).change(LimitDefinition.rolling("k", 4, 60));
        LimitState lower = decreasing.change(LimitDefinition.rolling("k", 2, 60));
        assertEquals(new LimitState(TEN, LimitStatus.DECREASING, 2, 3), lower);
        LimitState between = lower.change(LimitDefinition.rolling("k", 7, 60));
        assertEquals(new LimitState(TEN, LimitStatus.DECREASING, 7, 4), between);
    }

    @Test
    void anAppliedDecreaseBecomesTheCapacity() {
        LimitState decreasing = LimitState.created(TEN).change(LimitDefinition.rolling("k", 4, 60));
        LimitState applied = decreasing.decreaseApplied();
        assertEquals(new LimitState(LimitDefinition.rolling("k", 4, 60), LimitStatus.ACTIVE, 0, 3), applied);
    }

    @Test
    void refusesToApplyADecreaseThatIsNotPending() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> LimitState.created(TEN).decreaseApplied());
        assertEquals("no decrease is pending for k", e.getMessage());
    }

    @Test
    void refusesAChangeOfKind() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> LimitState.created(TEN).change(LimitDefinition.concurrency("k", 10, 30)));
        assertEquals(
                "kind: cannot change the kind of the existing limit 'k' from rolling to concurrency", e.getMessage());
    }

    @Test
    void refusesAChangeOfAnotherKey() {
        assertThrows(
                IllegalArgumentException.class,
                () -> LimitState.created(TEN).change(LimitDefinition.rolling("other", 10, 60)));
    }

    @Test
    void theRevisionGrowsWithEveryChange() {
        LimitState state = LimitState.created(TEN);
        long previous = state.revision();
        for (long capacity : new long[] {10, 20, 5, 5, 30, 1}) {
            state = state.change(LimitDefinition.rolling("k", capacity, 60));
            assertTrue(state.revision() > previous);
            previous = state.revision();
        }
        assertEquals(7, state.revision());
        assertEquals(LimitStatus.DECREASING, state.status());
        assertEquals(8, state.decreaseApplied().revision());
    }

    @Test
    void refusesInconsistentStates() {
        assertThrows(IllegalArgumentException.class, () -> new LimitState(TEN, LimitStatus.ACTIVE, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> new LimitState(TEN, LimitStatus.DECREASING, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new LimitState(TEN, LimitStatus.DECREASING, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new LimitState(TEN, LimitStatus.ACTIVE, 0, 0));
    }
}
