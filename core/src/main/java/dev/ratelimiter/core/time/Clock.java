package dev.ratelimiter.core.time;

/**
 * The source of wall-clock time for every expiry and every {@code reserved_at_unix_ms}.
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Clock {

    /** Milliseconds since the Unix epoch. */
    long nowMillis();

    /** The system's wall clock. */
    static Clock system() {
        return System::currentTimeMillis;
    }
}
