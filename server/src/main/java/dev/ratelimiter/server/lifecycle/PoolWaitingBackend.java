package dev.ratelimiter.server.lifecycle;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import java.util.List;

/**
 * The journaled memory backend presented as a backend that may block
 * ({@code ratelimiter.memory.journal-wait-on-pool=true}): every call then runs on the admission
 * pool, whose thread waits for the journal's fsync, instead of being decided on the event loop and
 * answered by the journal's writer. Kept so that the two designs can be measured against each other
 * in one build (docs/BENCHMARKS.md); the async forms are the interface's defaults, which run the
 * waiting sync forms.
 *
 * <p>Thread-safe: it only delegates to a thread-safe backend.
 */
final class PoolWaitingBackend implements Backend {
    private final Backend delegate;

    PoolWaitingBackend(Backend delegate) {
        this.delegate = delegate;
    }

    @Override
    public void install(LimitState state) {
        delegate.install(state);
    }

    @Override
    public boolean tryApplyDecrease(String key) {
        return delegate.tryApplyDecrease(key);
    }

    @Override
    public ReserveResponse reserve(ReserveRequest request) {
        return delegate.reserve(request);
    }

    @Override
    public CompleteResponse complete(CompleteRequest request) {
        return delegate.complete(request);
    }

    @Override
    public List<ReserveResponse> reserveAll(List<ReserveRequest> requests) {
        return delegate.reserveAll(requests);
    }

    @Override
    public List<CompleteResponse> completeAll(List<CompleteRequest> requests) {
        return delegate.completeAll(requests);
    }

    @Override
    public Usage usage(String key) {
        return delegate.usage(key);
    }

    /** The sync calls wait for the journal's fsync: false, so that the server runs them on its pool. */
    @Override
    public boolean neverBlocks() {
        return false;
    }

    @Override
    public boolean isHealthy() {
        return delegate.isHealthy();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
