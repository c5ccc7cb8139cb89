package dev.ratelimiter.server.lifecycle;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed number of threads with a bounded queue, for work that may block on the backend or is too
 * large for an event loop.
 *
 * <p>Netty's event loop must never wait for a backend: one stuck call would stall every connection
 * on that loop. Calls into a backend that may block, calls with large bodies and every admin call are
 * therefore handed to a pool (a {@link CallDispatcher} decides for admission calls and health
 * checks), one pool per kind of work, so that health checks and admin reads never queue behind
 * admission calls. When every thread is busy and the
 * queue is full, {@link #submit} fails at once with {@link PoolSaturatedException} (answered 503)
 * instead of queueing without bound. Thread-safe: the state is the JDK executor's.
 */
public final class WorkerPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);
    private static final long CLOSE_WAIT_MS = 5_000;

    private final String name;
    private final int threads;
    private final int queueMax;
    private final ThreadPoolExecutor executor;

    public WorkerPool(String name, int threads, int queueMax) {
        this.name = name;
        this.threads = threads;
        this.queueMax = queueMax;
        AtomicInteger counter = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueMax),
                runnable -> {
                    Thread thread = new Thread(runnable, "ratelimiter-" + name + "-" + counter.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                },
                new ThreadPoolExecutor.AbortPolicy());
    }

    /** Runs {@code task} on the pool; the future fails with {@link PoolSaturatedException} when the pool is full. */
    public <T> CompletableFuture<T> submit(Supplier<T> task) {
        try {
            return CompletableFuture.supplyAsync(task, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new PoolSaturatedException("the " + name + " pool is full: all "
                    + threads + " threads are busy and " + queueMax + " calls are waiting; try again shortly"));
        }
    }

    /** Calls waiting for a thread now. */
    public int queued() {
        return executor.getQueue().size();
    }

    /** Stops taking work and waits a bounded time for the calls already accepted. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("The {} pool still had work after {} ms; interrupting it", name, CLOSE_WAIT_MS);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Every thread of a pool is busy and its queue is full. */
    public static final class PoolSaturatedException extends RuntimeException {
        public PoolSaturatedException(String message) {
            super(message, null, false, false);
        }
    }
}
