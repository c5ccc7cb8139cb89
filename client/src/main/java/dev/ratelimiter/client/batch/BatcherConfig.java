package dev.ratelimiter.client.batch;

import dev.ratelimiter.core.settings.Bounds;
import dev.ratelimiter.core.wire.RequestLimits;

/**
 * How a {@link Batcher} gathers calls. Immutable. The bounds apply to each lane (reserves and
 * completes) separately.
 *
 * @param maxBatchItems most items in one batch call; a full batch is sent at once (default 256, the
 *     server's default limit)
 * @param flushIntervalMs longest time the first item of a batch waits for company (default 2)
 * @param maxBatchesInFlight most batch calls of one lane in progress at once; further items wait
 *     for one of them to end (default 16)
 * @param maxPendingItems most items of one lane waiting to be sent; further calls fail at once with
 *     {@link dev.ratelimiter.client.LimiterOverloadedException} (default 10000)
 * @param closeTimeoutMs how long {@link Batcher#close()} waits for batches in progress before it
 *     closes the limiter behind it (default 10000)
 * @param eagerBatchesInFlight while fewer than this many batches of a lane are in flight, what is
 *     pending leaves at once, without waiting for the flush interval (default 2). Calls then gather
 *     only while that many batches are on their way, as commits gather behind a disk write: a lone
 *     caller pays no interval, and under load each batch carries what arrived during the earlier
 *     ones' round trips. 0 makes every partial batch wait the interval; at most
 *     {@code maxBatchesInFlight}.
 */
public record BatcherConfig(
        int maxBatchItems,
        long flushIntervalMs,
        int maxBatchesInFlight,
        int maxPendingItems,
        long closeTimeoutMs,
        int eagerBatchesInFlight) {
    public static final BatcherConfig DEFAULT = new BatcherConfig(256, 2, 16, 10_000, 10_000, 2);

    public BatcherConfig {
        Bounds.require("maxBatchItems", maxBatchItems, 1, RequestLimits.MAX_BATCH_ITEMS_LIMIT);
        Bounds.require("flushIntervalMs", flushIntervalMs, 1, 60_000);
        Bounds.require("maxBatchesInFlight", maxBatchesInFlight, 1, 10_000);
        Bounds.require("maxPendingItems", maxPendingItems, maxBatchItems, 10_000_000);
        Bounds.require("closeTimeoutMs", closeTimeoutMs, 0, 3_600_000);
        Bounds.require("eagerBatchesInFlight", eagerBatchesInFlight, 0, maxBatchesInFlight);
    }

    public BatcherConfig withMaxBatchItems(int newMaxBatchItems) {
        return new BatcherConfig(
                newMaxBatchItems,
                flushIntervalMs,
                maxBatchesInFlight,
                Math.max(maxPendingItems, newMaxBatchItems),
                closeTimeoutMs,
                eagerBatchesInFlight);
    }

    public BatcherConfig withFlushIntervalMs(long newFlushIntervalMs) {
        return new BatcherConfig(
                maxBatchItems,
                newFlushIntervalMs,
                maxBatchesInFlight,
                maxPendingItems,
                closeTimeoutMs,
                eagerBatchesInFlight);
    }

    /** The same with another in-flight bound; the eager bound is cut to it if it was higher. */
    public BatcherConfig withMaxBatchesInFlight(int newMaxBatchesInFlight) {
        return new BatcherConfig(
                maxBatchItems,
                flushIntervalMs,
                newMaxBatchesInFlight,
                maxPendingItems,
                closeTimeoutMs,
                Math.min(eagerBatchesInFlight, newMaxBatchesInFlight));
    }

    public BatcherConfig withMaxPendingItems(int newMaxPendingItems) {
        return new BatcherConfig(
                maxBatchItems,
                flushIntervalMs,
                maxBatchesInFlight,
                newMaxPendingItems,
                closeTimeoutMs,
                eagerBatchesInFlight);
    }

    public BatcherConfig withEagerBatchesInFlight(int newEagerBatchesInFlight) {
        return new BatcherConfig(
                maxBatchItems,
                flushIntervalMs,
                maxBatchesInFlight,
                maxPendingItems,
                closeTimeoutMs,
                newEagerBatchesInFlight);
    }
}
