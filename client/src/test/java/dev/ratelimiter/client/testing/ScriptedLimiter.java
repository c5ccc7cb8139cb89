package dev.ratelimiter.client.testing;

import dev.ratelimiter.client.Limiter;
import dev.ratelimiter.client.timing.TaskTimer;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A limiter whose answers a test scripts, and which records every call it gets.
 *
 * <p>By default a reserve is allowed and a complete is ok, both answered at once. Thread-safe: the
 * records and scripts are guarded by {@code this}; scripts run outside the lock.
 */
public final class ScriptedLimiter implements Limiter {
    /** A single call as the limiter saw it, with the deadline it was given. */
    public record Call<Q>(Q request, long deadlineMillis) {}

    /** A batch call, answered by the test through {@link #answer}. */
    public record BatchCall<Q, R>(List<Q> requests, long deadlineMillis, CompletableFuture<List<R>> answer) {}

    private final TaskTimer timer;
    private final List<Call<ReserveRequest>> reserves = new ArrayList<>();
    private final List<Call<CompleteRequest>> completes = new ArrayList<>();
    private final List<BatchCall<ReserveRequest, ReserveResponse>> reserveBatches = new ArrayList<>();
    private final List<BatchCall<CompleteRequest, CompleteResponse>> completeBatches = new ArrayList<>();
    private Function<ReserveRequest, CompletableFuture<ReserveResponse>> reserveScript;
    private Function<CompleteRequest, CompletableFuture<CompleteResponse>> completeScript =
            request -> CompletableFuture.completedFuture(CompleteResponse.succeeded());
    private boolean closed;

    public ScriptedLimiter(TaskTimer timer) {
        this.timer = timer;
        this.reserveScript = request -> CompletableFuture.completedFuture(
                ReserveResponse.allowed(timer.clock().nowMillis()));
    }

    public synchronized ScriptedLimiter onReserve(Function<ReserveRequest, CompletableFuture<ReserveResponse>> script) {
        this.reserveScript = script;
        return this;
    }

    public synchronized ScriptedLimiter onComplete(
            Function<CompleteRequest, CompletableFuture<CompleteResponse>> script) {
        this.completeScript = script;
        return this;
    }

    public synchronized List<Call<ReserveRequest>> reserves() {
        return List.copyOf(reserves);
    }

    public synchronized List<Call<CompleteRequest>> completes() {
        return List.copyOf(completes);
    }

    public synchronized List<BatchCall<ReserveRequest, ReserveResponse>> reserveBatches() {
        return List.copyOf(reserveBatches);
    }

    public synchronized List<BatchCall<CompleteRequest, CompleteResponse>> completeBatches() {
        return List.copyOf(completeBatches);
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Lease ids of the reserves seen, in order. */
    public synchronized List<String> reservedLeaseIds() {
        return reserves.stream().map(call -> call.request().leaseId()).toList();
    }

    /** Lease ids of the completes seen, in order. */
    public synchronized List<String> completedLeaseIds() {
        return completes.stream().map(call -> call.request().leaseId()).toList();
    }

    @Override
    public CompletableFuture<ReserveResponse> reserveAsync(ReserveRequest request, long deadlineMillis) {
        Function<ReserveRequest, CompletableFuture<ReserveResponse>> script;
        synchronized (this) {
            reserves.add(new Call<>(request, deadlineMillis));
            script = reserveScript;
        }
        return script.apply(request);
    }

    @Override
    public CompletableFuture<CompleteResponse> completeAsync(CompleteRequest request, long deadlineMillis) {
        Function<CompleteRequest, CompletableFuture<CompleteResponse>> script;
        synchronized (this) {
            completes.add(new Call<>(request, deadlineMillis));
            script = completeScript;
        }
        return script.apply(request);
    }

    @Override
    public synchronized CompletableFuture<List<ReserveResponse>> reserveBatchAsync(
            List<ReserveRequest> requests, long deadlineMillis) {
        CompletableFuture<List<ReserveResponse>> answer = new CompletableFuture<>();
        reserveBatches.add(new BatchCall<>(List.copyOf(requests), deadlineMillis, answer));
        return answer;
    }

    @Override
    public synchronized CompletableFuture<List<CompleteResponse>> completeBatchAsync(
            List<CompleteRequest> requests, long deadlineMillis) {
        CompletableFuture<List<CompleteResponse>> answer = new CompletableFuture<>();
        completeBatches.add(new BatchCall<>(List.copyOf(requests), deadlineMillis, answer));
        return answer;
    }

    @Override
    public Clock clock() {
        return timer.clock();
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
