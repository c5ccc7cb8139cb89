package dev.ratelimiter.stepdefs.target;

import dev.ratelimiter.stepdefs.api.LimiterHttp;

/**
 * A running limiter that scenarios can be sent to. Implementations own what they started and
 * release it on {@link #close()}; a target the harness did not start (a URL) releases nothing.
 */
public interface Target extends AutoCloseable {

    /** A one-line description: which target, where, on which backend. */
    String describe();

    /** The client for this target's base URL; thread-safe, shared by every scenario of the run. */
    LimiterHttp http();

    /**
     * The last lines the server printed, for failure messages; empty when the harness cannot see
     * the server's output.
     */
    default String recentOutput() {
        return "";
    }

    /** Stops what this target started; bounded in time, never throws. */
    @Override
    void close();
}
