package dev.ratelimiter.client;

import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.core.wire.InvalidRequestException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A rate limiter as an application sees it: reserve a lease before a call, complete it after
 * (SPEC 2), singly or in batches, synchronously or asynchronously.
 *
 * <p>Answers are values: a denial, an unknown key or a malformed request is a
 * {@link ReserveResponse} or {@link CompleteResponse} carrying the error code of SPEC 3. A failed
 * future (or a thrown exception in the synchronous forms) is a {@link LimiterException}: see that
 * class's subclasses for what is known about the outcome. In particular an
 * {@link OutcomeUnknownException} on reserve leaves the lease to the caller, who either retries it
 * with the same lease id or releases it with a complete without actuals.
 *
 * <p>Deadlines are absolute times in milliseconds on {@link #clock()}; {@link #NO_DEADLINE} lets the
 * implementation apply its own bound. Every implementation completes every future it returns within
 * its bound: the deadline, or its own call budget when there is none. Implementations are
 * thread-safe.
 */
public interface Limiter extends AutoCloseable {
    /** No deadline from the caller: the implementation's own call budget bounds the call. */
    long NO_DEADLINE = Long.MAX_VALUE;

    /** Reserves every requirement of {@code request}, or none of them. */
    CompletableFuture<ReserveResponse> reserveAsync(ReserveRequest request, long deadlineMillis);

    /** Completes a lease; idempotent, so it may be repeated freely. */
    CompletableFuture<CompleteResponse> completeAsync(CompleteRequest request, long deadlineMillis);

    /**
     * Reserves a batch and answers in request order. A malformed item gets
     * {@code invalid_request} in its own slot.
     *
     * @throws InvalidRequestException when the batch holds no request or more than the limiter allows
     */
    CompletableFuture<List<ReserveResponse>> reserveBatchAsync(List<ReserveRequest> requests, long deadlineMillis);

    /**
     * Completes a batch and answers in request order.
     *
     * @throws InvalidRequestException when the batch holds no request or more than the limiter allows
     */
    CompletableFuture<List<CompleteResponse>> completeBatchAsync(List<CompleteRequest> requests, long deadlineMillis);

    /** The clock deadlines are measured on. */
    Clock clock();

    /** Releases the limiter's resources; later calls fail with {@link LimiterClosedException}. */
    @Override
    void close();

    default CompletableFuture<ReserveResponse> reserveAsync(ReserveRequest request) {
        return reserveAsync(request, NO_DEADLINE);
    }

    default CompletableFuture<CompleteResponse> completeAsync(CompleteRequest request) {
        return completeAsync(request, NO_DEADLINE);
    }

    default ReserveResponse reserve(ReserveRequest request, long deadlineMillis) {
        return await(reserveAsync(request, deadlineMillis));
    }

    default ReserveResponse reserve(ReserveRequest request) {
        return reserve(request, NO_DEADLINE);
    }

    default CompleteResponse complete(CompleteRequest request, long deadlineMillis) {
        return await(completeAsync(request, deadlineMillis));
    }

    default CompleteResponse complete(CompleteRequest request) {
        return complete(request, NO_DEADLINE);
    }

    default List<ReserveResponse> reserveBatch(List<ReserveRequest> requests, long deadlineMillis) {
        return await(reserveBatchAsync(requests, deadlineMillis));
    }

    default List<ReserveResponse> reserveBatch(List<ReserveRequest> requests) {
        return reserveBatch(requests, NO_DEADLINE);
    }

    default List<CompleteResponse> completeBatch(List<CompleteRequest> requests, long deadlineMillis) {
        return await(completeBatchAsync(requests, deadlineMillis));
    }

    default List<CompleteResponse> completeBatch(List<CompleteRequest> requests) {
        return completeBatch(requests, NO_DEADLINE);
    }

    /**
     * Checks the size of a batch before it is sent: 1 to {@code maxItems} requests (SPEC 3).
     *
     * @throws InvalidRequestException naming the field and the rule otherwise
     */
    static void requireBatchSize(List<?> requests, int maxItems) {
        if (requests.isEmpty() || requests.size() > maxItems) {
            throw new InvalidRequestException(
                    "requests: must hold 1 to " + maxItems + " items, got " + requests.size());
        }
    }

    /**
     * The failure behind an exception that came out of a future: unwraps {@link CompletionException}
     * and {@link ExecutionException}.
     */
    static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        for (int depth = 0;
                depth < 16
                        && (current instanceof CompletionException || current instanceof ExecutionException)
                        && current.getCause() != null;
                depth++) {
            current = current.getCause();
        }
        return current;
    }

    /**
     * Waits for a future of a limiter, which completes within the limiter's own bound (see the class
     * comment), and rethrows its failure unwrapped: what the synchronous forms do, for
     * implementations that override them.
     *
     * @throws LimiterException the call's failure; an interrupt while waiting is reported as an
     *     {@link OutcomeUnknownException} (the call goes on in the background) with the interrupt
     *     flag restored
     */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutcomeUnknownException("interrupted while waiting for the limiter's answer", e);
        } catch (ExecutionException | CancellationException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new LimiterException("limiter call failed: " + cause, cause);
        }
    }
}
