package dev.ratelimiter.core.backend;

import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A store of holds that enforces limits with the admission semantics of SPEC 2.
 *
 * <p>Division of labour: {@link dev.ratelimiter.core.service.LimiterService} validates requests,
 * owns the registry and serialises admin changes; it calls {@link #install} only after a state is
 * durable. A backend trusts that requests are valid (keys distinct, amounts in range) and decides
 * admission, idempotency, reconciliation, debt and retry hints.
 *
 * <p>Implementations are thread-safe: reserve, complete and usage are called from many threads at
 * once; install and {@link #tryApplyDecrease} are called by one thread at a time.
 *
 * <p>Expected outcomes (a denial, an unknown key, an expired lease) are values in the responses.
 * An operating failure is a {@link BackendException}.
 */
public interface Backend extends AutoCloseable {

    /**
     * Makes the backend enforce {@code state} for its key from now on: creates the key, or replaces
     * its definition, capacity and status. Existing holds keep their expiry. Idempotent: installing
     * the same state twice changes nothing the second time.
     */
    void install(LimitState state);

    /**
     * For a key installed as decreasing: when at least {@code capacity - pendingDecreaseTo} is free,
     * lowers the capacity to {@code pendingDecreaseTo}, makes the key active and returns true;
     * otherwise changes nothing and returns false. The caller persists
     * {@link LimitState#decreaseApplied()} and installs it afterwards.
     */
    boolean tryApplyDecrease(String key);

    /** Reserves every requirement of a valid request, or none of them (SPEC 2.1 and 2.2). */
    ReserveResponse reserve(ReserveRequest request);

    /** Completes a lease (SPEC 2.3); always ok for an unknown or already completed lease. */
    CompleteResponse complete(CompleteRequest request);

    /** Reserves a batch; answers in request order. Backends that can pack requests override this. */
    default List<ReserveResponse> reserveAll(List<ReserveRequest> requests) {
        List<ReserveResponse> responses = new ArrayList<>(requests.size());
        for (ReserveRequest request : requests) {
            responses.add(reserve(request));
        }
        return responses;
    }

    /** Completes a batch; answers in request order. Backends that can pack requests override this. */
    default List<CompleteResponse> completeAll(List<CompleteRequest> requests) {
        List<CompleteResponse> responses = new ArrayList<>(requests.size());
        for (CompleteRequest request : requests) {
            responses.add(complete(request));
        }
        return responses;
    }

    /**
     * {@link #reserve} whose answer may arrive later: a backend that must wait before it answers
     * (for a journal's fsync, say) returns at once and completes the future when it may answer. A
     * failure is a future failed with {@link BackendException}. The default calls {@link #reserve}
     * on the calling thread.
     */
    default CompletableFuture<ReserveResponse> reserveAsync(ReserveRequest request) {
        return now(() -> reserve(request));
    }

    /** {@link #complete} whose answer may arrive later; see {@link #reserveAsync}. */
    default CompletableFuture<CompleteResponse> completeAsync(CompleteRequest request) {
        return now(() -> complete(request));
    }

    /** {@link #reserveAll} whose answers may arrive later; see {@link #reserveAsync}. */
    default CompletableFuture<List<ReserveResponse>> reserveAllAsync(List<ReserveRequest> requests) {
        return now(() -> reserveAll(requests));
    }

    /** {@link #completeAll} whose answers may arrive later; see {@link #reserveAsync}. */
    default CompletableFuture<List<CompleteResponse>> completeAllAsync(List<CompleteRequest> requests) {
        return now(() -> completeAll(requests));
    }

    /** The current usage of an installed key. */
    Usage usage(String key);

    /**
     * Whether every call made on the request path in its async form ({@link #reserveAsync},
     * {@link #completeAsync}, their batch forms, {@link #usage} and {@link #isHealthy}) is bounded
     * work on the calling thread: it never waits for I/O, a timer or another process, and a lock it
     * takes is held by others only for such work too; a future it returns may complete later on
     * another thread. A server may then make these calls on a thread that must never wait, such as a
     * network event loop, instead of handing them to a pool. The sync forms may still wait (the
     * memory backend's wait for its journal's fsync). The default, false, is the safe answer for a
     * backend that talks to anything outside this process.
     */
    default boolean neverBlocks() {
        return false;
    }

    /** Whether the backend answers now (for {@code /healthz}); must return within about a second. */
    boolean isHealthy();

    /**
     * Why the backend is not healthy now, in words for an operator (for {@code /healthz}), or empty
     * while it is; must return within about a second. Backends that can tell why override this.
     */
    default Optional<String> healthProblem() {
        return isHealthy() ? Optional.empty() : Optional.of("does not answer");
    }

    /** Runs {@code call} now; a failure fails the future instead of being thrown. */
    private static <T> CompletableFuture<T> now(Supplier<T> call) {
        try {
            return CompletableFuture.completedFuture(call.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Releases resources; answers every caller still waiting. Never blocks without a bound. */
    @Override
    void close();
}
