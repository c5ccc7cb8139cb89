package dev.ratelimiter.server.lifecycle;

import dev.ratelimiter.core.backend.Backend;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Decides which thread runs one call into the limiter: the Netty event loop that read the request,
 * or a {@link WorkerPool}.
 *
 * <p>An event loop serves many connections, so it must never wait. A call runs on it only when the
 * backend promises bounded work on the calling thread ({@link Backend#neverBlocks()}, true for the
 * memory backend) and the request body is at most {@code inlineBodyBytesMax} bytes: decoding and
 * admitting a body costs time in proportion to its size, and a 1 MiB batch would hold up every other
 * connection of that loop for milliseconds. Every other call, and so every call on TigerBeetle, goes
 * to the pool and keeps the pool's bound: when the pool is full the call fails at once with
 * {@link WorkerPool.PoolSaturatedException} (503).
 *
 * <p>Why not the pool for everything: a hand-off costs two thread switches per request (event loop
 * to pool thread, and back to the event loop to write the answer). On a two-core machine those
 * switches cost more than a memory-backend reserve itself (docs/DECISIONS.md, "Which thread runs a
 * call").
 *
 * <p>Immutable and thread-safe; the pool is thread-safe.
 */
public final class CallDispatcher {
    private final WorkerPool pool;
    private final boolean inlineAllowed;
    private final int inlineBodyBytesMax;

    /**
     * @param pool where calls that may not run on the event loop go
     * @param backendNeverBlocks the backend's {@link Backend#neverBlocks()}
     * @param inlineBodyBytesMax largest body whose call may run on the event loop; 0 sends every call to the pool
     */
    public CallDispatcher(WorkerPool pool, boolean backendNeverBlocks, int inlineBodyBytesMax) {
        if (inlineBodyBytesMax < 0) {
            throw new IllegalArgumentException("inlineBodyBytesMax must be at least 0, got " + inlineBodyBytesMax);
        }
        this.pool = pool;
        this.inlineAllowed = backendNeverBlocks && inlineBodyBytesMax > 0;
        this.inlineBodyBytesMax = inlineBodyBytesMax;
    }

    /**
     * Runs {@code call} on the calling thread when a body of {@code bodyBytes} may be handled there,
     * otherwise on the pool. Either way the answer is a future, and a failure of the call (an invalid
     * request, say) fails the future rather than being thrown, so the caller handles both paths alike.
     */
    public <T> CompletableFuture<T> dispatch(int bodyBytes, Supplier<T> call) {
        if (!runsInline(bodyBytes)) {
            return pool.submit(call);
        }
        try {
            return CompletableFuture.completedFuture(call.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * As {@link #dispatch}, for a call whose decision may arrive later (the memory backend answers once
     * its journal record is durable): {@code decide} makes the call and returns the future decision,
     * {@code answer} turns the decision into the response.
     *
     * <p>On the calling thread (an event loop), {@code decide} only decides and returns its future, so
     * the event loop never waits; when the decision arrives later, {@code answer} runs back on the same
     * event loop, so that the thread completing the decision (the journal's writer) only hands each
     * response over and returns to its next fsync. On the pool, the pool's thread waits for the
     * decision, so that the pool's bound still bounds the calls in progress.
     */
    public <V, T> CompletableFuture<T> dispatchAsync(
            int bodyBytes, Supplier<CompletableFuture<V>> decide, Function<V, T> answer) {
        if (!runsInline(bodyBytes)) {
            // The backend bounds the wait (the journal's durable timeout, TigerBeetle's request timeout).
            return pool.submit(() -> answer.apply(decide.get().join()));
        }
        try {
            CompletableFuture<V> decision = decide.get();
            // Netty's own map from its threads to their event loops (a public class of its internal
            // package, which Netty's executors use themselves): null off an event loop, and then the
            // answer runs wherever the decision completes.
            Executor eventLoop = ThreadExecutorMap.currentExecutor();
            if (decision.isDone() || eventLoop == null) {
                return decision.thenApply(answer);
            }
            return decision.thenApplyAsync(answer, eventLoop);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Whether a call with a body of {@code bodyBytes} runs on the calling thread. */
    public boolean runsInline(int bodyBytes) {
        return inlineAllowed && bodyBytes <= inlineBodyBytesMax;
    }
}
