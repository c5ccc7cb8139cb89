package dev.ratelimiter.core.memory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded, first-in-first-out memory of lease ids whose records are gone: the tombstones that let
 * a late repeat answer {@code lease_expired}, and the sticky denials (SPEC 2.2, 5.1 and 11).
 *
 * <p>Bounds: at most {@code capacity} ids are remembered; adding one more forgets the oldest of its
 * stripe (below). An entry may also carry a time after which it is forgotten. Forgetting is always
 * safe: a forgotten id is treated as new, which can only admit a request the limits allow.
 *
 * <p>Thread-safety: the ids are spread by hash over up to {@link #MAX_STRIPES} stripes, each an
 * insertion-ordered map guarded by its own monitor, so that every completing lease does not queue
 * on one lock. Each stripe holds an equal share of the capacity and evicts its own oldest entry, so
 * eviction is first-in-first-out per stripe and only approximately so overall; a memory of fewer
 * than {@link #MIN_IDS_PER_STRIPE} ids per stripe uses a single stripe, where the order is exact.
 *
 * @param <V> what is remembered about each id
 */
final class BoundedLeaseMemory<V> {
    static final int MAX_STRIPES = 16;
    static final int MIN_IDS_PER_STRIPE = 1_024;

    private record Entry<V>(V value, long forgetAtMillis) {
    }

    private final Stripe<V>[] stripes;

    @SuppressWarnings("unchecked")
    BoundedLeaseMemory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        int count = 1;
        while (count < MAX_STRIPES && (long) capacity / (count * 2L) >= MIN_IDS_PER_STRIPE) {
            count *= 2;
        }
        stripes = new Stripe[count];
        for (int i = 0; i < count; i++) {
            // The first (capacity % count) stripes take one more, so that the shares add up exactly.
            stripes[i] = new Stripe<>(capacity / count + (i < capacity % count ? 1 : 0));
        }
    }

    /** Remembers {@code leaseId} until it is evicted or {@code forgetAtMillis} has come. */
    void remember(String leaseId, V value, long forgetAtMillis) {
        Stripe<V> stripe = stripeOf(leaseId);
        synchronized (stripe) {
            stripe.put(leaseId, new Entry<>(value, forgetAtMillis));
        }
    }

    /** What is remembered about {@code leaseId} at {@code nowMillis}, or null. */
    V recall(String leaseId, long nowMillis) {
        Stripe<V> stripe = stripeOf(leaseId);
        Entry<V> entry;
        synchronized (stripe) {
            entry = stripe.get(leaseId);
        }
        if (entry == null || nowMillis >= entry.forgetAtMillis()) {
            return null;
        }
        return entry.value();
    }

    int size() {
        int size = 0;
        for (Stripe<V> stripe : stripes) {
            synchronized (stripe) {
                size += stripe.size();
            }
        }
        return size;
    }

    private Stripe<V> stripeOf(String leaseId) {
        return stripes[Stripes.of(leaseId, stripes.length)];
    }

    /** One stripe: an insertion-ordered map that drops its eldest entry past its share. Guarded by its monitor. */
    private static final class Stripe<V> extends LinkedHashMap<String, Entry<V>> {
        private static final long serialVersionUID = 1L;
        private final int capacity;

        Stripe(int capacity) {
            super(16, 0.75f, false);
            this.capacity = capacity;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry<V>> eldest) {
            return size() > capacity;
        }
    }
}
