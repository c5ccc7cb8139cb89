package dev.ratelimiter.client.batch;

import dev.ratelimiter.client.Limiter;
import dev.ratelimiter.client.LimiterClosedException;
import dev.ratelimiter.client.timing.SystemTaskTimer;
import dev.ratelimiter.client.timing.TaskTimer;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Limiter} that coalesces concurrent single calls into batch calls on the limiter behind it.
 *
 * <p>Rules:
 * <ul>
 *   <li>Reserves and completes travel in separate lanes, so a batch never mixes them.</li>
 *   <li>A batch leaves as soon as it holds {@link BatcherConfig#maxBatchItems()} items, when its
 *       oldest item has waited {@link BatcherConfig#flushIntervalMs()}, or at once while fewer than
 *       {@link BatcherConfig#eagerBatchesInFlight()} batches of its lane are in flight; so calls
 *       gather while batches are on their way and leave together when one returns. Items keep their arrival
 *       order, and each caller gets the result of its own item.</li>
 *   <li>Up to {@link BatcherConfig#maxBatchesInFlight()} batches per lane may be in progress at once;
 *       past that, items wait (at most {@link BatcherConfig#maxPendingItems()} of them).</li>
 *   <li>Deadlines are per caller. A batch is sent with the latest deadline of its items; a caller
 *       whose own deadline passes first gets {@link dev.ratelimiter.client.DeadlineExceededException}
 *       if its item was not sent yet (it is taken out of the batch) or
 *       {@link dev.ratelimiter.client.OutcomeUnknownException} if it was. Either way the others wait
 *       for the batch's answer undisturbed.</li>
 *   <li>Calls that already are batches go straight through to the limiter behind.</li>
 * </ul>
 *
 * <p>Shutdown: {@link #shutdown()} sends everything pending at once and refuses new calls with
 * {@link LimiterClosedException}; {@link #close()} also waits (at most
 * {@link BatcherConfig#closeTimeoutMs()}) for the batches in progress and then closes the limiter
 * behind, which the batcher owns.
 *
 * <p>Thread-safe: each lane guards its own state with its own lock (see {@code Lane}); the closed
 * flag is volatile.
 */
public final class Batcher implements Limiter {
    private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);

    private final Limiter delegate;
    private final BatcherConfig config;
    private final TaskTimer timer;
    private final SystemTaskTimer ownedTimer;
    private final Lane<ReserveRequest, ReserveResponse> reserves;
    private final Lane<CompleteRequest, CompleteResponse> completes;
    private volatile boolean closed;

    /** A batcher with the default configuration and a timer thread of its own. */
    public Batcher(Limiter delegate) {
        this(delegate, BatcherConfig.DEFAULT, null);
    }

    /**
     * @param delegate the limiter that receives the batches; owned by the batcher from now on
     * @param timer runs flush intervals and deadlines; must use the same clock as {@code delegate}.
     *     {@code null} for a system timer of the batcher's own, closed with it
     */
    public Batcher(Limiter delegate, BatcherConfig config, TaskTimer timer) {
        this.delegate = delegate;
        this.config = config;
        this.ownedTimer = timer == null ? new SystemTaskTimer() : null;
        this.timer = timer == null ? ownedTimer : timer;
        this.reserves = new Lane<>("reserve", config, this.timer, delegate::reserveBatchAsync);
        this.completes = new Lane<>("complete", config, this.timer, delegate::completeBatchAsync);
    }

    public BatcherConfig config() {
        return config;
    }

    @Override
    public Clock clock() {
        return timer.clock();
    }

    @Override
    public CompletableFuture<ReserveResponse> reserveAsync(ReserveRequest request, long deadlineMillis) {
        return reserves.submit(request, deadlineMillis);
    }

    @Override
    public CompletableFuture<CompleteResponse> completeAsync(CompleteRequest request, long deadlineMillis) {
        return completes.submit(request, deadlineMillis);
    }

    @Override
    public CompletableFuture<List<ReserveResponse>> reserveBatchAsync(
            List<ReserveRequest> requests, long deadlineMillis) {
        if (closed) {
            return CompletableFuture.failedFuture(refused("batch of reserves"));
        }
        return delegate.reserveBatchAsync(requests, deadlineMillis);
    }

    @Override
    public CompletableFuture<List<CompleteResponse>> completeBatchAsync(
            List<CompleteRequest> requests, long deadlineMillis) {
        if (closed) {
            return CompletableFuture.failedFuture(refused("batch of completes"));
        }
        return delegate.completeBatchAsync(requests, deadlineMillis);
    }

    /** How many single calls of each kind wait to be sent; for tests and metrics. */
    public int pendingReserves() {
        return reserves.pendingItems();
    }

    public int pendingCompletes() {
        return completes.pendingItems();
    }

    /**
     * Sends every pending call now and refuses new ones with {@link LimiterClosedException}.
     * Idempotent; does not wait.
     *
     * @return completes when no batch of either lane is in progress any more
     */
    public CompletableFuture<Void> shutdown() {
        closed = true;
        return CompletableFuture.allOf(reserves.shutdown(), completes.shutdown());
    }

    /**
     * {@link #shutdown()}, then waits at most {@link BatcherConfig#closeTimeoutMs()} for the batches in
     * progress, then closes the limiter behind (which fails whatever is still in progress there).
     */
    @Override
    public void close() {
        CompletableFuture<Void> drained = shutdown();
        try {
            drained.get(config.closeTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("batches still in progress after " + config.closeTimeoutMs()
                    + " ms; closing the limiter behind the batcher anyway");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // allOf of futures that only ever complete normally: cannot happen, but say so if it does.
            LOG.warn("draining the batcher failed: " + e.getCause());
        }
        delegate.close();
        if (ownedTimer != null) {
            ownedTimer.close();
        }
    }

    private static LimiterClosedException refused(String what) {
        return new LimiterClosedException(what + " refused: the batcher is shut down and accepts no new calls");
    }
}
