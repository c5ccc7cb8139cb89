package dev.ratelimiter.chaos.workload;

import dev.ratelimiter.client.Limiter;
import dev.ratelimiter.client.LimiterException;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import java.util.Objects;

/**
 * A workload's limiter reached through the project's Java client, as an application would use it:
 * each call gets the deadline {@code now + callBudgetMillis}, within which the client retries an
 * unknown outcome with the same lease id. A call that ends in a {@link LimiterException} (the
 * outcome is unknown, or the call never went out) is a failure; an answer of
 * {@code invalid_request} fails too, since the workload never sends a malformed request.
 *
 * <p>Thread-safe because the client is.
 */
public final class ClientLimiterTarget implements LimiterTarget {
    private final Limiter limiter;
    private final long callBudgetMillis;

    public ClientLimiterTarget(Limiter limiter, long callBudgetMillis) {
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        if (callBudgetMillis < 1) {
            throw new IllegalArgumentException("callBudgetMillis must be at least 1, got " + callBudgetMillis);
        }
        this.callBudgetMillis = callBudgetMillis;
    }

    @Override
    public ReserveResult reserve(ReserveRequest request) {
        try {
            ReserveResponse response = limiter.reserve(request, deadline());
            if (response.refusal() instanceof Refusal.InvalidRequest) {
                return ReserveResult.invalid("refused by the client or server");
            }
            return ReserveResult.answered(response);
        } catch (LimiterException e) {
            return ReserveResult.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    @Override
    public CompleteResult complete(CompleteRequest request) {
        try {
            return CompleteResult.answered(limiter.complete(request, deadline()));
        } catch (LimiterException e) {
            return CompleteResult.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private long deadline() {
        return limiter.clock().nowMillis() + callBudgetMillis;
    }
}
