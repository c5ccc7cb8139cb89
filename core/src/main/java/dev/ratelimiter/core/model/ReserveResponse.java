package dev.ratelimiter.core.model;

import java.util.Objects;

/**
 * The answer to a reserve. Every field is always present on the wire (SPEC 3).
 *
 * @param allowed whether every requirement is now held by the lease
 * @param retryAfterMs on a denial for capacity, how long to wait before a new attempt; 0 otherwise
 * @param reservedAtUnixMs when the holds were taken (the original time for an idempotent repeat)
 * @param error "" on success and on a plain capacity denial, else one of {@link ErrorCodes}
 */
public record ReserveResponse(boolean allowed, long retryAfterMs, long reservedAtUnixMs, String error) {
    public ReserveResponse {
        Objects.requireNonNull(error, "error");
    }

    public static ReserveResponse allowed(long reservedAtUnixMs) {
        return new ReserveResponse(true, 0, reservedAtUnixMs, "");
    }

    /** A denial for lack of capacity: worth retrying after {@code retryAfterMs}. */
    public static ReserveResponse denied(long retryAfterMs) {
        return new ReserveResponse(false, retryAfterMs, 0, "");
    }

    /** A denial that carries an error code, with the retry hint that goes with it (often 0). */
    public static ReserveResponse rejected(String error, long retryAfterMs) {
        return new ReserveResponse(false, retryAfterMs, 0, error);
    }
}
