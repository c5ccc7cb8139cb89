package dev.ratelimiter.chaos.workload;

import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.wire.InvalidRequestException;
import java.util.Objects;

/**
 * A {@link LimiterService} in this JVM. A request the service refuses as malformed fails with its
 * detail (the HTTP server would answer 400): the workload never sends one, so a test counts it as
 * unexpected. Thread-safe because the service is.
 */
public final class InProcessTarget implements LimiterTarget {
    private final LimiterService service;

    public InProcessTarget(LimiterService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    @Override
    public ReserveResult reserve(ReserveRequest request) {
        try {
            return ReserveResult.answered(service.reserve(request));
        } catch (InvalidRequestException e) {
            return ReserveResult.invalid(e.detail());
        }
    }

    @Override
    public CompleteResult complete(CompleteRequest request) {
        try {
            return CompleteResult.answered(service.complete(request));
        } catch (InvalidRequestException e) {
            return CompleteResult.invalid(e.detail());
        }
    }
}
