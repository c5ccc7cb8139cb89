package dev.ratelimiter.client;

/**
 * The limiter already has as many calls in progress as its configuration allows and refused this
 * one at once instead of queueing it without bound; nothing was sent. Retrying later is safe.
 */
public final class LimiterOverloadedException extends LimiterException {
    public LimiterOverloadedException(String message) {
        super(message);
    }
}
