package dev.ratelimiter.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ring-plus-heap queue of one key's holds, against a plain list as the model. */
class HoldQueueTest {
    private final KeyState key = new KeyState(LimitState.created(LimitDefinition.rolling("k", 1_000, 60)));
    private final HoldQueue queue = new HoldQueue();

    private Hold add(long expiresAtMillis, boolean releasable) {
        Hold hold = new Hold(key, 1, expiresAtMillis);
        queue.add(hold, releasable);
        return hold;
    }

    private List<Hold> pollAll(long nowMillis) {
        List<Hold> expired = new ArrayList<>();
        for (Hold hold = queue.pollExpired(nowMillis); hold != null; hold = queue.pollExpired(nowMillis)) {
            expired.add(hold);
        }
        return expired;
    }

    @Test
    void testsRunWithTheInvariantAssertionsOn() {
        // KeyState asserts that reserved equals the sum of its held holds after every change; a
        // build that dropped -ea would silently stop checking it.
        assertTrue(KeyState.class.desiredAssertionStatus(), "tests must run with -ea");
    }

    @Test
    void heldSumCountsOnlyHeldHoldsInTheRingAndTheHeap() {
        KeyState key = new KeyState(LimitState.created(LimitDefinition.rolling("k", 100, 60)));
        key.lock();
        try {
            Hold first = key.hold(5, 1_000);
            key.hold(7, 2_000);
            key.release(first);
            assertEquals(7, key.reserved());
            assertTrue(key.invariantHolds());
        } finally {
            key.unlock();
        }
    }

    @Test
    void holdsInExpiryOrderLeaveAtTheirExpiryAndNotBefore() {
        Hold first = add(100, false);
        Hold second = add(100, false);
        Hold third = add(200, false);

        assertEquals(List.of(), pollAll(99));
        assertEquals(List.of(first, second), pollAll(100));
        assertEquals(1, queue.heldCount());
        assertEquals(List.of(third), pollAll(250));
        assertEquals(0, queue.heldCount());
        assertFalse(first.held);
    }

    @Test
    void aHoldThatExpiresBeforeTheNewestStillLeavesOnTime() {
        Hold late = add(1_000, false);
        Hold early = add(10, false);

        assertFalse(early.inRing, "out of order, so in the heap");
        assertEquals(List.of(early), pollAll(10));
        assertEquals(List.of(late), pollAll(1_000));
    }

    @Test
    void releasedHoldsNeverComeBackAndOthersStay() {
        Hold ringHold = add(100, false);
        Hold heapHold = add(100, true);
        Hold kept = add(150, false);

        assertTrue(queue.release(ringHold));
        assertTrue(queue.release(heapHold));
        assertFalse(queue.release(ringHold), "a second release changes nothing");
        assertEquals(1, queue.heldCount());

        assertEquals(List.of(), pollAll(120), "released holds are not returned as expired");
        assertEquals(List.of(kept), pollAll(150));
        assertNull(queue.pollExpired(Long.MAX_VALUE));
    }

    @Test
    void anExpiredHoldCannotBeReleasedAgain() {
        Hold hold = add(100, true);
        assertSame(hold, queue.pollExpired(100));
        assertFalse(queue.release(hold));
        assertEquals(0, queue.heldCount());
    }

    /** Random adds (in and out of order), releases and polls agree with a list kept by brute force. */
    @Test
    void agreesWithABruteForceModel() {
        Random random = new Random(20261128);
        List<Hold> model = new ArrayList<>();
        long nowMillis = 0;
        long newestExpiry = 0;
        for (int step = 0; step < 50_000; step++) {
            int action = random.nextInt(10);
            if (action < 5) {
                long expiresAt =
                        random.nextInt(10) == 0 ? nowMillis + random.nextInt(50) : newestExpiry + random.nextInt(3);
                newestExpiry = Math.max(newestExpiry, expiresAt);
                model.add(add(expiresAt, random.nextBoolean()));
            } else if (action < 7 && !model.isEmpty()) {
                Hold victim = model.remove(random.nextInt(model.size()));
                assertTrue(queue.release(victim));
            } else {
                nowMillis += random.nextInt(4);
                final long now = nowMillis;
                Set<Hold> expected = new HashSet<>();
                model.removeIf(hold -> hold.expiresAtMillis <= now && expected.add(hold));
                assertEquals(expected, new HashSet<>(pollAll(nowMillis)), "step " + step);
            }
            assertEquals(model.size(), queue.heldCount(), "step " + step);
        }
    }
}
