package dev.ratelimiter.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The bound on finished lease records: which records it evicts from the lease map, and when. */
class FinishedLeasesTest {
    private final ConcurrentHashMap<String, Lease> leases = new ConcurrentHashMap<>();

    private Lease finish(FinishedLeases finished, String leaseId) {
        Lease lease = new Lease(leaseId, 0);
        leases.put(leaseId, lease);
        finished.add(lease);
        return lease;
    }

    @Test
    void aSmallBoundEvictsExactlyTheOldestRecord() {
        FinishedLeases finished = new FinishedLeases(leases, 3);
        for (int i = 0; i < 4; i++) {
            finish(finished, "id" + i);
        }
        assertEquals(3, finished.size());
        assertFalse(leases.containsKey("id0"));
        assertTrue(leases.containsKey("id1"));
        assertTrue(leases.containsKey("id3"));
    }

    @Test
    void aStripedBoundNeverKeepsMoreThanItsCapacityAndKeepsTheNewestRecords() {
        int capacity = 100_003;
        FinishedLeases finished = new FinishedLeases(leases, capacity);
        for (int i = 0; i < 3 * capacity; i++) {
            finish(finished, "lease-" + i);
        }
        assertEquals(capacity, finished.size(), "every stripe is full and no fuller");
        assertEquals(capacity, leases.size());
        // Each stripe keeps its newest share; the newest records overall are surely among them.
        for (int i = 3 * capacity - 1_000; i < 3 * capacity; i++) {
            assertTrue(leases.containsKey("lease-" + i), "lease-" + i);
        }
        assertFalse(leases.containsKey("lease-0"));
    }

    @Test
    void evictionNeverRemovesANewerRecordOfTheSameId() {
        FinishedLeases finished = new FinishedLeases(leases, 1);
        finish(finished, "a");
        Lease newer = new Lease("a", 0);
        leases.put("a", newer);

        finish(finished, "b");

        assertSame(newer, leases.get("a"));
        assertTrue(leases.containsKey("b"));
    }

    @Test
    void refusesACapacityBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new FinishedLeases(leases, 0));
    }
}
