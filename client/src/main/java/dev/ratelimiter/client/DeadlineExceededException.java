package dev.ratelimiter.client;

/** The caller's deadline passed before the request was sent: nothing was reserved or completed. */
public final class DeadlineExceededException extends LimiterException {
    public DeadlineExceededException(String message) {
        super(message);
    }
}
