package dev.ratelimiter.core.wire;

import dev.ratelimiter.core.settings.Bounds;

/**
 * The configurable bounds on a request (SPEC 3, validation).
 *
 * @param maxRequirements most requirements one reserve may name (default 32)
 * @param maxBatchItems most requests one batch may carry (default 256)
 */
public record RequestLimits(int maxRequirements, int maxBatchItems) {
    public static final RequestLimits DEFAULT = new RequestLimits(32, 256);

    /** Upper bound of {@link #maxRequirements}. */
    public static final int MAX_REQUIREMENTS_LIMIT = 10_000;
    /** Upper bound of {@link #maxBatchItems}. */
    public static final int MAX_BATCH_ITEMS_LIMIT = 100_000;

    public RequestLimits {
        Bounds.require("maxRequirements", maxRequirements, 1, MAX_REQUIREMENTS_LIMIT);
        Bounds.require("maxBatchItems", maxBatchItems, 1, MAX_BATCH_ITEMS_LIMIT);
    }
}
