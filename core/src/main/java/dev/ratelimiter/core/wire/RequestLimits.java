package dev.ratelimiter.core.wire;

/**
 * The configurable bounds on a request (SPEC 3, validation).
 *
 * @param maxRequirements most requirements one reserve may name (default 32)
 * @param maxBatchItems most requests one batch may carry (default 256)
 */
public record RequestLimits(int maxRequirements, int maxBatchItems) {
    public static final RequestLimits DEFAULT = new RequestLimits(32, 256);

    public RequestLimits {
        if (maxRequirements < 1 || maxRequirements > 10_000) {
            throw new IllegalArgumentException("maxRequirements must be from 1 to 10000, got " + maxRequirements);
        }
        if (maxBatchItems < 1 || maxBatchItems > 100_000) {
            throw new IllegalArgumentException("maxBatchItems must be from 1 to 100000, got " + maxBatchItems);
        }
    }
}
