package dev.ratelimiter.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sweeper's ring-plus-heap shards against a plain list as the model. */
class LeaseSweeperTest {
    private final LeaseSweeper sweeper = new LeaseSweeper();

    /** Everything due at {@code nowMillis}, over as many calls as it takes to visit every shard until none gives more. */
    private Set<Lease> drain(long nowMillis) {
        Set<Lease> due = new HashSet<>();
        int emptyInARow = 0;
        while (emptyInARow < LeaseSweeper.SHARDS) {
            List<Lease> batch = sweeper.due(nowMillis);
            assertTrue(batch.size() <= LeaseSweeper.SWEEP_BATCH);
            emptyInARow = batch.isEmpty() ? emptyInARow + 1 : 0;
            for (Lease lease : batch) {
                assertTrue(due.add(lease), "a record is handed out once");
            }
        }
        return due;
    }

    @Test
    void cancelledRecordsAreNeverDueAndTheRingIsCompacted() {
        List<Lease> kept = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Lease lease = new Lease("l" + i, LeaseSweeper.shardOf("l" + i));
            sweeper.schedule(lease, 1_000 + i);
            if (i % 10 == 0) {
                kept.add(lease);
            } else {
                sweeper.cancel(lease);
            }
        }
        assertEquals(kept.size(), sweeper.scheduledCount());
        assertEquals(Set.of(), drain(999));
        assertEquals(new HashSet<>(kept), drain(Long.MAX_VALUE));
        assertEquals(0, sweeper.scheduledCount());
    }

    /** Random schedules (mostly in order, some not), cancels and sweeps agree with a brute-force model. */
    @Test
    void agreesWithABruteForceModel() {
        Random random = new Random(20261204);
        List<Lease> model = new ArrayList<>();
        long nowMillis = 0;
        long newest = 0;
        for (int step = 0; step < 20_000; step++) {
            int action = random.nextInt(10);
            if (action < 5) {
                long at = random.nextInt(8) == 0 ? nowMillis + random.nextInt(30) : newest + random.nextInt(3);
                newest = Math.max(newest, at);
                Lease lease = new Lease("s" + step, LeaseSweeper.shardOf("s" + step));
                sweeper.schedule(lease, at);
                model.add(lease);
            } else if (action < 8 && !model.isEmpty()) {
                sweeper.cancel(model.remove(random.nextInt(model.size())));
            } else {
                nowMillis += random.nextInt(4);
                long now = nowMillis;
                Set<Lease> expected = new HashSet<>();
                model.removeIf(lease -> lease.heapKey() <= now && expected.add(lease));
                assertEquals(expected, drain(nowMillis), "step " + step);
            }
            assertEquals(model.size(), sweeper.scheduledCount(), "step " + step);
        }
    }
}
