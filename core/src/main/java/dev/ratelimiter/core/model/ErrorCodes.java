package dev.ratelimiter.core.model;

/**
 * The error strings of SPEC 3, exactly as they go on the wire (no space after the colon), and the one
 * translation between them and {@link Refusal}: the codec and the client's decoder are its callers.
 */
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

    private ErrorCodes() {}

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

    /** The wire string of {@code refusal}: "" for none (allowed, or denied for capacity). */
    public static String wire(Refusal refusal) {
        if (refusal == null) {
            return "";
        }
        // Java 17 has no pattern switch; the sealed type keeps this list complete by review (and
        // ErrorCodesTest round-trips every kind).
        if (refusal instanceof Refusal.UnknownLimitKey r) {
            return unknownLimitKey(r.key());
        } else if (refusal instanceof Refusal.LimitDecreasing r) {
            return limitDecreasing(r.key());
        } else if (refusal instanceof Refusal.ExceedsCapacity r) {
            return exceedsCapacity(r.key());
        } else if (refusal instanceof Refusal.LeaseExpired r) {
            return leaseExpired(r.leaseId());
        } else if (refusal instanceof Refusal.Unrecognized r) {
            return r.code();
        } else if (refusal instanceof Refusal.BackendError) {
            return BACKEND_ERROR;
        }
        return INVALID_REQUEST;
    }

    /** The refusal a wire string names: null for "", {@link Refusal.Unrecognized} for a code not of SPEC 3. */
    public static Refusal refusal(String error) {
        if (error.isEmpty()) {
            return null;
        }
        if (error.equals(INVALID_REQUEST)) {
            return Refusal.INVALID_REQUEST;
        }
        if (error.equals(BACKEND_ERROR)) {
            return Refusal.BACKEND_ERROR;
        }
        String key = suffix(error, UNKNOWN_LIMIT_KEY_PREFIX);
        if (key != null) {
            return new Refusal.UnknownLimitKey(key);
        }
        key = suffix(error, LIMIT_DECREASING_PREFIX);
        if (key != null) {
            return new Refusal.LimitDecreasing(key);
        }
        key = suffix(error, EXCEEDS_CAPACITY_PREFIX);
        if (key != null) {
            return new Refusal.ExceedsCapacity(key);
        }
        String leaseId = suffix(error, LEASE_EXPIRED_PREFIX);
        return leaseId != null ? new Refusal.LeaseExpired(leaseId) : new Refusal.Unrecognized(error);
    }

    /** What follows {@code prefix} in {@code error}; null when it does not start with it or nothing follows. */
    private static String suffix(String error, String prefix) {
        return error.length() > prefix.length() && error.startsWith(prefix) ? error.substring(prefix.length()) : null;
    }
}
