package dev.ratelimiter.core.backend;

/**
 * An operating failure: the backend could not answer (unreachable, timed out, closed) or its
 * state could not be saved. Callers answer {@code backend_error}; it is never a caller's mistake.
 */
public final class BackendException extends RuntimeException {
    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
