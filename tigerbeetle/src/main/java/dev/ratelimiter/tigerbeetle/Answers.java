package dev.ratelimiter.tigerbeetle;

import dev.ratelimiter.core.backend.BackendException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waiting for the answer to a request sent through a {@link Submitter}, the one bounded wait every
 * part of the backend uses. Stateless; safe from any thread.
 */
final class Answers {
    /** A caller's wait beyond the request timeout, covering the flush interval and thread hand-offs. */
    private static final long WAIT_MARGIN_MS = 1_000;

    private Answers() {}

    /**
     * Waits for one of our own futures (never the client's; see {@link Submitter}) from
     * {@code session}. The submitter answers by the request timeout; the margin only guards against
     * a lost answer.
     *
     * @throws BackendException when the request failed, or was not answered in time
     */
    static <T> T await(Submitter session, CompletableFuture<T> answer, String what) {
        try {
            return answer.get(session.requestTimeoutMs() + WAIT_MARGIN_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BackendException backend) {
                throw backend;
            }
            throw new BackendException(what + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new BackendException(what + " was not answered within " + session.requestTimeoutMs() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(what + " was interrupted");
        }
    }
}
