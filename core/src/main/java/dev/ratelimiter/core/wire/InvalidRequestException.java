package dev.ratelimiter.core.wire;

/**
 * A caller's mistake: the payload breaks a rule of SPEC 3. The detail names the field (as a JSON
 * path such as {@code requirements[2].amount}) and the rule; the server answers 400
 * {@code invalid_request} with it.
 */
public final class InvalidRequestException extends RuntimeException {
    public InvalidRequestException(String detail) {
        super(detail, null, false, false);
    }

    /** The human-readable detail that goes into the error body. */
    public String detail() {
        return getMessage();
    }
}
