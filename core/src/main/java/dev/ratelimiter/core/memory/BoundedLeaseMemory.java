package dev.ratelimiter.core.memory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded, first-in-first-out memory of lease ids whose records are gone: the tombstones that let
 * a late repeat answer {@code lease_expired}, and the sticky denials (SPEC 2.2, 5.1 and 11).
 *
 * <p>Bounds: at most {@code capacity} ids are remembered; adding one more forgets the oldest. An
 * entry may also carry a time after which it is forgotten. Forgetting is always safe: a forgotten
 * id is treated as new, which can only admit a request the limits allow.
 *
 * <p>Thread-safety: lock-free. The map answers lookups; the queue and its counter keep insertion
 * order for eviction. Concurrent adds may overshoot the bound by at most the number of adding
 * threads for an instant, until their own evictions run. If an id is added twice, evicting the
 * older queue entry forgets the newer value early, which is safe for the reason above.
 *
 * @param <V> what is remembered about each id
 */
final class BoundedLeaseMemory<V> {
    private record Entry<V>(V value, long forgetAtMillis) {
    }

    private final int capacity;
    private final ConcurrentHashMap<String, Entry<V>> entries = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
    private final AtomicInteger orderSize = new AtomicInteger();

    BoundedLeaseMemory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Remembers {@code leaseId} until it is evicted or {@code forgetAtMillis} has come. */
    void remember(String leaseId, V value, long forgetAtMillis) {
        if (entries.put(leaseId, new Entry<>(value, forgetAtMillis)) == null) {
            order.add(leaseId);
            orderSize.incrementAndGet();
        }
        // Evict until the queue is within bound; each pass removes one, so the loop is bounded by
        // how far concurrent adds overshot.
        while (orderSize.get() > capacity) {
            String oldest = order.poll();
            if (oldest == null) {
                break;
            }
            orderSize.decrementAndGet();
            entries.remove(oldest);
        }
    }

    /** What is remembered about {@code leaseId} at {@code nowMillis}, or null. */
    V recall(String leaseId, long nowMillis) {
        Entry<V> entry = entries.get(leaseId);
        if (entry == null || nowMillis >= entry.forgetAtMillis()) {
            return null;
        }
        return entry.value();
    }

    int size() {
        return entries.size();
    }
}
