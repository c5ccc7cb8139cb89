package dev.ratelimiter.core.model;

/** The error strings of SPEC 3, exactly as they go on the wire (no space after the colon). */
public final class ErrorCodes {
    public static final String INVALID_REQUEST = "invalid_request";
    public static final String BACKEND_ERROR = "backend_error";
    public static final String NOT_FOUND = "not_found";
    /** A protected call without the configured bearer token, or with a wrong one (SPEC 3, access control). */
    public static final String UNAUTHORIZED = "unauthorized";
    /** An admin call from a peer that is not loopback while no admin token is configured (SPEC 3). */
    public static final String FORBIDDEN = "forbidden";
    public static final String UNKNOWN_LIMIT_KEY_PREFIX = "unknown_limit_key:";
    public static final String LIMIT_DECREASING_PREFIX = "limit_decreasing:";
    public static final String EXCEEDS_CAPACITY_PREFIX = "exceeds_capacity:";
    public static final String LEASE_EXPIRED_PREFIX = "lease_expired:";

    private ErrorCodes() {
    }

    public static String unknownLimitKey(String key) {
        return UNKNOWN_LIMIT_KEY_PREFIX + key;
    }

    public static String limitDecreasing(String key) {
        return LIMIT_DECREASING_PREFIX + key;
    }

    public static String exceedsCapacity(String key) {
        return EXCEEDS_CAPACITY_PREFIX + key;
    }

    public static String leaseExpired(String leaseId) {
        return LEASE_EXPIRED_PREFIX + leaseId;
    }
}
