package dev.ratelimiter.client;

/**
 * The request was sent but no definitive answer arrived before the deadline (transport errors,
 * timeouts, 5xx answers): a reserve may hold capacity now, a complete may or may not have run.
 *
 * <p>The caller owns the lease and decides: retry with the <em>same</em> lease id (a reserve repeat
 * is idempotent, a complete is always safe to repeat), or give the lease up by sending a complete
 * without actuals, which releases a hold that did land early. Limiters never do this on their own,
 * because only the caller knows whether it will retry the lease; the scheduler does it for its jobs.
 */
public final class OutcomeUnknownException extends LimiterException {
    public OutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
