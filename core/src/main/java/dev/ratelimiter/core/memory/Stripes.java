package dev.ratelimiter.core.memory;

/**
 * Picks a stripe (or shard) for a lease id without shared state, so that threads never write a
 * common counter to decide where a lease goes.
 *
 * <p>Uses the top bits of a multiplicative (Fibonacci) hash of the id. Not the low bits: a stripe
 * that is itself a hash map picks its buckets from those, so every id of a stripe would share a
 * fraction of the buckets and the map would degrade into long chains. Stateless; thread-safe.
 */
final class Stripes {
    private static final int GOLDEN_RATIO_32 = 0x9E3779B9;

    private Stripes() {}

    /** The stripe of {@code leaseId} among {@code count} stripes; {@code count} is a power of two. */
    static int of(String leaseId, int count) {
        if (count == 1) {
            return 0;
        }
        int mixed = leaseId.hashCode() * GOLDEN_RATIO_32;
        return mixed >>> (Integer.SIZE - Integer.numberOfTrailingZeros(count));
    }
}
