package dev.ratelimiter.client;

/**
 * An operating failure of a limiter call: the call did not produce an answer the caller can use.
 * Used as is when the limiter answered something unusable (for example HTTP 404 from a wrong base
 * URL): nothing was held. The subclasses say more precisely what is known about the outcome.
 */
public class LimiterException extends RuntimeException {
    public LimiterException(String message) {
        super(message);
    }

    public LimiterException(String message, Throwable cause) {
        super(message, cause);
    }
}
