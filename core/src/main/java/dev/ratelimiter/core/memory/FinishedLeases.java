package dev.ratelimiter.core.memory;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentMap;

/**
 * The bound on lease records that are finished but still answer repeats: completed or dropped
 * records (tombstones, so that a late repeat answers {@code lease_expired}) and denied ones (sticky
 * denials), SPEC 2.2, 5.1 and 11.
 *
 * <p>A finished record stays in the backend's lease map, where the lookup every reserve makes
 * anyway finds it: no second lookup in a separate tombstone set. This class only remembers, first
 * in first out, which finished records are in the map, and removes the oldest from the map once
 * more than {@code capacity} are. Forgetting is always safe: a forgotten id is treated as new,
 * which can only admit a request the limits allow.
 *
 * <p>Thread-safety: the records are spread by lease id ({@link Stripes}) over up to {@link
 * #MAX_STRIPES} stripes, each a queue guarded by its own monitor, so that completing leases do not
 * all queue on one lock. Each stripe holds an equal share of the capacity and evicts its own oldest
 * record, so eviction is first-in-first-out per stripe and only approximately so overall; below
 * {@link #MIN_RECORDS_PER_STRIPE} records per stripe there is a single stripe, where it is exact. A
 * stripe's monitor is a leaf lock but for the map's own bin lock, taken last, to evict.
 */
final class FinishedLeases {
    static final int MAX_STRIPES = 16;
    static final int MIN_RECORDS_PER_STRIPE = 1_024;

    private final ConcurrentMap<String, Lease> leases;
    private final Stripe[] stripes;

    /**
     * @param leases the backend's lease map, where finished records stay until evicted here
     * @param capacity how many finished records are kept at most (at least 1)
     */
    FinishedLeases(ConcurrentMap<String, Lease> leases, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.leases = leases;
        int count = 1;
        while (count < MAX_STRIPES && (long) capacity / (count * 2L) >= MIN_RECORDS_PER_STRIPE) {
            count *= 2;
        }
        stripes = new Stripe[count];
        for (int i = 0; i < count; i++) {
            // The first (capacity % count) stripes take one more, so that the shares add up exactly.
            stripes[i] = new Stripe(capacity / count + (i < capacity % count ? 1 : 0));
        }
    }

    /**
     * Counts a record that has just finished and stays in the lease map; evicts the oldest finished
     * record of its stripe from the map when the stripe is over its share. A record is added once.
     */
    void add(Lease lease) {
        Stripe stripe = stripes[Stripes.of(lease.leaseId, stripes.length)];
        Lease evicted = null;
        Lease next = null;
        synchronized (stripe) {
            stripe.records.addLast(lease);
            if (stripe.records.size() > stripe.capacity) {
                evicted = stripe.records.pollFirst();
                next = stripe.records.peekFirst();
            }
        }
        if (next != null) {
            // The record evicted next time, and its id, were written a whole bound of leases ago and
            // are no longer cached: reading them now, while the removal below waits for the map's
            // memory, overlaps those misses with the removal's instead of paying them one after
            // another at the next eviction (a quarter of reserve + complete in the profile). The
            // write only keeps the read from being optimised away.
            stripe.touched = next.leaseId.hashCode();
        }
        if (evicted != null) {
            // Only that exact record: the id may have a newer record by now.
            leases.remove(evicted.leaseId, evicted);
        }
    }

    /** How many finished records are counted now (for tests of the bounds). */
    int size() {
        int size = 0;
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                size += stripe.records.size();
            }
        }
        return size;
    }

    /** One stripe's records, oldest first. Guarded by its monitor. */
    private static final class Stripe {
        final int capacity;
        final ArrayDeque<Lease> records = new ArrayDeque<>();
        /** Written without the monitor, never read: see {@link FinishedLeases#add}. */
        int touched;

        Stripe(int capacity) {
            this.capacity = capacity;
        }
    }
}
