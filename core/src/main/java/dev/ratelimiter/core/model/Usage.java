package dev.ratelimiter.core.model;

/**
 * How much of a limit is in use now (an extension of the reference API, SPEC 3).
 *
 * @param reserved the amount held now by live leases
 * @param available {@code capacity - reserved}, never below 0
 * @param debt the total overage recorded as debt for this key
 */
public record Usage(long reserved, long available, long debt) {

    public static Usage of(long capacity, long reserved, long debt) {
        return new Usage(reserved, Math.max(0, capacity - reserved), debt);
    }
}
