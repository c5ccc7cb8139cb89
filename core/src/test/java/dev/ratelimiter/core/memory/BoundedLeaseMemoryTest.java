package dev.ratelimiter.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The bounded memory of lease ids: its bound, its order and its expiry. */
class BoundedLeaseMemoryTest {

    @Test
    void aSmallMemoryForgetsExactlyTheOldestId() {
        BoundedLeaseMemory<Integer> memory = new BoundedLeaseMemory<>(3);
        for (int i = 0; i < 4; i++) {
            memory.remember("id" + i, i, Long.MAX_VALUE);
        }
        assertEquals(3, memory.size());
        assertNull(memory.recall("id0", 0));
        assertEquals(1, memory.recall("id1", 0));
        assertEquals(3, memory.recall("id3", 0));
    }

    @Test
    void aStripedMemoryNeverHoldsMoreThanItsCapacityAndKeepsTheNewestIds() {
        int capacity = 100_003;
        BoundedLeaseMemory<Boolean> memory = new BoundedLeaseMemory<>(capacity);
        for (int i = 0; i < 3 * capacity; i++) {
            memory.remember("lease-" + i, Boolean.TRUE, Long.MAX_VALUE);
        }
        assertEquals(capacity, memory.size(), "every stripe is full and no fuller");
        // Each stripe keeps its newest share; the newest ids overall are surely among them.
        for (int i = 3 * capacity - 1_000; i < 3 * capacity; i++) {
            assertEquals(Boolean.TRUE, memory.recall("lease-" + i, 0), "lease-" + i);
        }
        assertNull(memory.recall("lease-0", 0));
    }

    @Test
    void anEntryIsForgottenWhenItsTimeHasCome() {
        BoundedLeaseMemory<Long> memory = new BoundedLeaseMemory<>(10);
        memory.remember("denied", 250L, 1_000);
        assertEquals(250L, memory.recall("denied", 999));
        assertNull(memory.recall("denied", 1_000));
    }

    @Test
    void refusesACapacityBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new BoundedLeaseMemory<>(0));
    }
}
