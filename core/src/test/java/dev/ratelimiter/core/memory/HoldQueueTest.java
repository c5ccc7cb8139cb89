package dev.ratelimiter.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** Every hold ever added, to find which ones {@link HoldQueue#expire} dropped. */
    private final List<Hold> added = new ArrayList<>();

    private Hold add(long expiresAtMillis) {
        return add(expiresAtMillis, 1);
    }

    private Hold add(long expiresAtMillis, long amount) {
        Hold hold = new Hold(key, amount, expiresAtMillis);
        queue.add(hold);
        added.add(hold);
        return hold;
    }

    /** The holds that were held before and are not after expiring at {@code nowMillis}, checking the sum returned. */
    private List<Hold> pollAll(long nowMillis) {
        List<Hold> before = new ArrayList<>();
        for (Hold hold : added) {
            if (queue.isHeld(hold)) {
                before.add(hold);
            }
        }
        long sum = queue.expire(nowMillis);
        List<Hold> expired = new ArrayList<>();
        for (Hold hold : before) {
            if (!queue.isHeld(hold)) {
                expired.add(hold);
            }
        }
        assertEquals(expired.stream().mapToLong(hold -> hold.amount).sum(), sum, "sum of the expired amounts");
        added.removeIf(hold -> !queue.isHeld(hold));
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
        Hold first = add(100);
        Hold second = add(100);
        Hold third = add(200);

        assertEquals(List.of(), pollAll(99));
        assertEquals(List.of(first, second), pollAll(100));
        assertEquals(1, queue.heldCount());
        assertEquals(List.of(third), pollAll(250));
        assertEquals(0, queue.heldCount());
        assertFalse(queue.isHeld(first));
    }

    @Test
    void aHoldThatExpiresBeforeTheNewestStillLeavesOnTime() {
        Hold late = add(1_000);
        Hold early = add(10);

        assertFalse(early.inRing, "out of order, so in the heap");
        assertEquals(List.of(early), pollAll(10));
        assertEquals(List.of(late), pollAll(1_000));
    }

    @Test
    void releasedHoldsNeverComeBackAndOthersStay() {
        Hold ringHold = add(100);
        Hold heapHold = add(50);
        Hold kept = add(150);
        assertTrue(ringHold.inRing);
        assertFalse(heapHold.inRing);

        assertTrue(queue.release(ringHold));
        assertTrue(queue.release(heapHold));
        assertFalse(queue.release(ringHold), "a second release changes nothing");
        assertEquals(1, queue.heldCount());

        assertEquals(List.of(), pollAll(120), "released holds are not returned as expired");
        assertEquals(List.of(kept), pollAll(150));
        assertEquals(0, queue.expire(Long.MAX_VALUE));
    }

    @Test
    void anExpiredHoldCannotBeReleasedAgain() {
        Hold ringHold = add(100);
        Hold heapHold = add(10);
        assertEquals(List.of(ringHold, heapHold), pollAll(100));
        assertFalse(queue.release(ringHold));
        assertFalse(queue.release(heapHold));
        assertEquals(0, queue.heldCount());
    }

    @Test
    void releasedEntriesAreCompactedSoTheRingStaysWithinTwiceItsHeldHolds() {
        List<Hold> kept = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            Hold hold = add(1_000 + i, 1 + i % 7);
            if (i % 10 == 0) {
                kept.add(hold);
            } else {
                assertTrue(queue.release(hold));
            }
            assertTrue(
                    queue.ringEntries() <= 2 * queue.heldCount() + HoldQueue.COMPACT_AT_LEAST,
                    "ring of " + queue.ringEntries() + " for " + queue.heldCount() + " held");
        }
        assertEquals(kept.stream().mapToLong(hold -> hold.amount).sum(), queue.heldSum());
        for (Hold hold : kept) {
            assertTrue(queue.isHeld(hold));
            queue.setAmount(hold, hold.amount + 1);
        }
        assertEquals(kept.stream().mapToLong(hold -> hold.amount).sum(), queue.heldSum(), "amounts follow their holds");
        assertEquals(kept, pollAll(Long.MAX_VALUE));
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
                model.add(add(expiresAt, 1 + random.nextInt(5)));
            } else if (action < 7 && !model.isEmpty()) {
                Hold victim = model.remove(random.nextInt(model.size()));
                assertTrue(queue.release(victim));
            } else if (action < 8 && !model.isEmpty()) {
                Hold changed = model.get(random.nextInt(model.size()));
                queue.setAmount(changed, 1 + random.nextInt(5));
            } else {
                nowMillis += random.nextInt(4);
                final long now = nowMillis;
                Set<Hold> expected = new HashSet<>();
                model.removeIf(hold -> hold.expiresAtMillis <= now && expected.add(hold));
                assertEquals(expected, new HashSet<>(pollAll(nowMillis)), "step " + step);
            }
            assertEquals(model.size(), queue.heldCount(), "step " + step);
            assertEquals(model.stream().mapToLong(hold -> hold.amount).sum(), queue.heldSum(), "step " + step);
        }
    }
}
