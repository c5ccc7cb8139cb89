package dev.ratelimiter.core.model;

/**
 * The answer to a reserve. Every field is always present on the wire (SPEC 3); the wire's
 * {@code error} string is {@link #error()}, derived from {@link #refusal}.
 *
 * @param allowed whether every requirement is now held by the lease
 * @param retryAfterMs on a denial for capacity, how long to wait before a new attempt; 0 otherwise
 * @param reservedAtUnixMs when the holds were taken (the original time for an idempotent repeat)
 * @param refusal why the reserve was refused with an error; null when allowed and on a plain
 *     denial for lack of capacity
 */
public record ReserveResponse(boolean allowed, long retryAfterMs, long reservedAtUnixMs, Refusal refusal) {
    public ReserveResponse {
        if (allowed && refusal != null) {
            throw new IllegalArgumentException("an allowed reserve carries no refusal, got " + refusal);
        }
    }

    public static ReserveResponse allowed(long reservedAtUnixMs) {
        return new ReserveResponse(true, 0, reservedAtUnixMs, null);
    }

    /** A denial for lack of capacity: worth retrying after {@code retryAfterMs}. */
    public static ReserveResponse denied(long retryAfterMs) {
        return new ReserveResponse(false, retryAfterMs, 0, null);
    }

    /** A refusal, with the retry hint that goes with it (often 0). */
    public static ReserveResponse refused(Refusal refusal, long retryAfterMs) {
        if (refusal == null) {
            throw new IllegalArgumentException("a refusal is needed; a capacity denial is denied(retryAfterMs)");
        }
        return new ReserveResponse(false, retryAfterMs, 0, refusal);
    }

    /** A refusal that comes with no retry hint. */
    public static ReserveResponse refused(Refusal refusal) {
        return refused(refusal, 0);
    }

    /** Whether this is a denial for lack of capacity (no error, worth retrying later). */
    public boolean deniedForCapacity() {
        return !allowed && refusal == null;
    }

    /** The wire's {@code error} field: "" when allowed or denied for capacity, else the refusal's code. */
    public String error() {
        return ErrorCodes.wire(refusal);
    }
}
