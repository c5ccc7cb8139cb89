package dev.ratelimiter.server.lifecycle;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.journal.JournalDamagedException;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The journaled memory backend while its books are read back, so that reading a million holds
 * overlaps the rest of the server's start (the HTTP server's own start takes about as long) instead
 * of coming before it.
 *
 * <p>Until the books are read: installs from the registry are queued and applied, in order, before
 * anything else reaches the backend; the async forms of reserve and complete (the event loop's) are
 * answered once the books are read, without the event loop waiting; the sync forms, usage and close
 * wait for them, at most {@link #RECOVERY_TIMEOUT_MILLIS}; a decrease check answers "not yet";
 * {@code /healthz} answers 503. {@link #awaitRecovered()} is how the start waits for the end and
 * reports damage: the server does not announce itself before its books are back.
 *
 * <p>Thread-safety: {@code this}'s monitor guards the queue of installs and the switch to the
 * backend; {@code ready} completes once, after the queued installs were applied, and publishes the
 * backend to every thread.
 */
final class RecoveringBackend implements Backend {
    /** Longest wait for the books, for a caller that must wait; a start with a million holds takes seconds. */
    static final long RECOVERY_TIMEOUT_MILLIS = 300_000;

    private final CompletableFuture<Backend> ready = new CompletableFuture<>();
    /** Guarded by this: installs received before the books were read. */
    private final List<LimitState> queuedInstalls = new ArrayList<>();

    /** Reads the books with {@code open} on a thread of its own. */
    RecoveringBackend(BookOpener open) {
        Thread thread = new Thread(() -> recover(open), "ratelimiter-journal-recovery");
        thread.setDaemon(true);
        thread.start();
    }

    /** Opens the journaled backend; may take seconds. */
    @FunctionalInterface
    interface BookOpener {
        Backend open() throws IOException;
    }

    /**
     * Waits until the books are read back.
     *
     * @throws StartupFailure naming the file and offset when the journal is damaged, or why it
     *     could not be read
     */
    void awaitRecovered() {
        try {
            ready.get(RECOVERY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new StartupFailure(
                    cause instanceof JournalDamagedException
                            ? cause.getMessage()
                            : "ratelimiter.memory.journal-path (RATELIMITER_MEMORY_JOURNAL_PATH): cannot read the journal: "
                                    + cause);
        } catch (TimeoutException e) {
            throw new StartupFailure("the journal was not read back within " + RECOVERY_TIMEOUT_MILLIS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupFailure("interrupted while the journal was read back");
        }
    }

    @Override
    public void install(LimitState state) {
        synchronized (this) {
            if (!ready.isDone()) {
                queuedInstalls.add(state);
                return;
            }
        }
        backend().install(state);
    }

    @Override
    public boolean tryApplyDecrease(String key) {
        Backend backend = readyOrNull();
        return backend != null && backend.tryApplyDecrease(key);
    }

    @Override
    public ReserveResponse reserve(ReserveRequest request) {
        return backend().reserve(request);
    }

    @Override
    public CompleteResponse complete(CompleteRequest request) {
        return backend().complete(request);
    }

    @Override
    public List<ReserveResponse> reserveAll(List<ReserveRequest> requests) {
        return backend().reserveAll(requests);
    }

    @Override
    public List<CompleteResponse> completeAll(List<CompleteRequest> requests) {
        return backend().completeAll(requests);
    }

    @Override
    public CompletableFuture<ReserveResponse> reserveAsync(ReserveRequest request) {
        return whenReady(backend -> backend.reserveAsync(request));
    }

    @Override
    public CompletableFuture<CompleteResponse> completeAsync(CompleteRequest request) {
        return whenReady(backend -> backend.completeAsync(request));
    }

    @Override
    public CompletableFuture<List<ReserveResponse>> reserveAllAsync(List<ReserveRequest> requests) {
        return whenReady(backend -> backend.reserveAllAsync(requests));
    }

    @Override
    public CompletableFuture<List<CompleteResponse>> completeAllAsync(List<CompleteRequest> requests) {
        return whenReady(backend -> backend.completeAllAsync(requests));
    }

    @Override
    public Usage usage(String key) {
        return backend().usage(key);
    }

    /** The async forms never wait (before the books are read they are answered later); the rest is the memory backend's. */
    @Override
    public boolean neverBlocks() {
        return true;
    }

    @Override
    public boolean isHealthy() {
        Backend backend = readyOrNull();
        return backend != null && backend.isHealthy();
    }

    @Override
    public void close() {
        try {
            backend().close();
        } catch (BackendException e) {
            // The books were never read (damage, or still reading at a timeout): nothing to close.
        }
    }

    private void recover(BookOpener open) {
        Backend backend;
        try {
            backend = open.open();
        } catch (IOException | RuntimeException e) {
            ready.completeExceptionally(e);
            return;
        }
        synchronized (this) {
            for (LimitState state : queuedInstalls) {
                backend.install(state);
            }
            queuedInstalls.clear();
            ready.complete(backend);
        }
    }

    private <T> CompletableFuture<T> whenReady(Function<Backend, CompletableFuture<T>> call) {
        Backend backend = readyOrNull();
        if (backend != null) {
            return call.apply(backend);
        }
        return ready.handle((opened, failure) -> failure == null
                        ? call.apply(opened)
                        : CompletableFuture.<T>failedFuture(
                                new BackendException("the journal could not be read back: " + failure, failure)))
                .thenCompose(Function.identity());
    }

    /** The backend if its books are back, else null (also when reading them failed). */
    private Backend readyOrNull() {
        return ready.isDone() && !ready.isCompletedExceptionally() ? ready.join() : null;
    }

    /** The backend, once the books are read; waits for them at most {@link #RECOVERY_TIMEOUT_MILLIS}. */
    private Backend backend() {
        Backend backend = readyOrNull();
        if (backend != null) {
            return backend;
        }
        try {
            return ready.get(RECOVERY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new BackendException("the journal could not be read back: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new BackendException("the journal is still being read back");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while the journal was read back");
        }
    }
}
