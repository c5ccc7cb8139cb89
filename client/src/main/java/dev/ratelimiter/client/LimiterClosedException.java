package dev.ratelimiter.client;

/** The limiter (or batcher) is shut down and refuses new calls; nothing was sent. */
public final class LimiterClosedException extends LimiterException {
    public LimiterClosedException(String message) {
        super(message);
    }
}
