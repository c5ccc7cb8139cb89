package dev.ratelimiter.client.batch;

import dev.ratelimiter.client.DeadlineExceededException;
import dev.ratelimiter.client.Limiter;
import dev.ratelimiter.client.LimiterClosedException;
import dev.ratelimiter.client.LimiterException;
import dev.ratelimiter.client.LimiterOverloadedException;
import dev.ratelimiter.client.OutcomeUnknownException;
import dev.ratelimiter.client.timing.Cancellable;
import dev.ratelimiter.client.timing.TaskTimer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiFunction;

/**
 * One kind of call (reserves, or completes) on its way into batches. Keeping the kinds in separate
 * lanes is what guarantees that a batch never mixes them.
 *
 * <p>Thread-safe: every field below the constructor's is guarded by {@code this}. Batches are sent
 * and callers' futures completed outside the lock, so a caller's continuation may call back into
 * the batcher.
 *
 * @param <Q> the request type
 * @param <R> the response type
 */
final class Lane<Q, R> {
    private final String kind;
    private final BatcherConfig config;
    private final TaskTimer timer;
    private final BiFunction<List<Q>, Long, CompletableFuture<List<R>>> send;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();

    /** Items waiting to be sent, oldest first. */
    private final ArrayDeque<Item<Q, R>> pending = new ArrayDeque<>();
    /** The flush timer of the oldest pending item; running while items wait and the interval has not passed. */
    private Cancellable flushTimer;
    /** The oldest pending item has waited a whole flush interval: send what is pending as soon as a batch slot frees. */
    private boolean intervalElapsed;

    private int batchesInFlight;
    private boolean closing;

    Lane(
            String kind,
            BatcherConfig config,
            TaskTimer timer,
            BiFunction<List<Q>, Long, CompletableFuture<List<R>>> send) {
        this.kind = kind;
        this.config = config;
        this.timer = timer;
        this.send = send;
    }

    CompletableFuture<R> submit(Q request, long deadlineMillis) {
        Item<Q, R> item = new Item<>(request, deadlineMillis);
        long now = timer.clock().nowMillis();
        if (deadlineMillis <= now) {
            item.future.completeExceptionally(new DeadlineExceededException(
                    kind + " not sent: its deadline passed " + (now - deadlineMillis) + " ms before the call"));
            return item.future;
        }
        List<List<Item<Q, R>>> batches;
        List<Item<Q, R>> expired = new ArrayList<>();
        synchronized (this) {
            if (closing) {
                item.future.completeExceptionally(new LimiterClosedException(
                        kind + " refused: the batcher is shut down and accepts no new calls"));
                return item.future;
            }
            if (pending.size() >= config.maxPendingItems()) {
                item.future.completeExceptionally(new LimiterOverloadedException(
                        kind + " refused: " + config.maxPendingItems() + " calls already wait to be batched"));
                return item.future;
            }
            pending.addLast(item);
            if (pending.size() == 1 && !intervalElapsed) {
                flushTimer = schedule(config.flushIntervalMs(), this::flushIntervalElapsed);
                // Without a timer the interval can never elapse: send at once rather than never.
                intervalElapsed = flushTimer == null;
            }
            if (deadlineMillis != Limiter.NO_DEADLINE) {
                // Without a timer the deadline is still checked when the batch is taken.
                item.deadlineTimer = schedule(deadlineMillis - now, () -> deadlinePassed(item));
            }
            batches = takeReadyBatches(now, expired);
        }
        failExpired(expired);
        sendAll(batches);
        return item.future;
    }

    /** Refuses new calls and sends everything pending at once, regardless of size, interval and in-flight bound. */
    CompletableFuture<Void> shutdown() {
        List<List<Item<Q, R>>> batches;
        List<Item<Q, R>> expired = new ArrayList<>();
        synchronized (this) {
            closing = true;
            batches = takeReadyBatches(timer.clock().nowMillis(), expired);
            completeDrainIfIdle();
        }
        failExpired(expired);
        sendAll(batches);
        return drained;
    }

    synchronized int pendingItems() {
        return pending.size();
    }

    synchronized int batchesInFlight() {
        return batchesInFlight;
    }

    private void flushIntervalElapsed() {
        List<List<Item<Q, R>>> batches;
        List<Item<Q, R>> expired = new ArrayList<>();
        synchronized (this) {
            flushTimer = null;
            if (pending.isEmpty()) {
                return;
            }
            intervalElapsed = true;
            batches = takeReadyBatches(timer.clock().nowMillis(), expired);
        }
        failExpired(expired);
        sendAll(batches);
    }

    private void deadlinePassed(Item<Q, R> item) {
        LimiterException failure;
        synchronized (this) {
            if (item.state == State.PENDING) {
                pending.remove(item);
                afterPendingShrank();
                item.state = State.DONE;
                failure = new DeadlineExceededException(
                        kind + " not sent: its deadline passed while it waited" + " to be batched");
            } else if (item.state == State.SENT) {
                item.state = State.DONE;
                failure = new OutcomeUnknownException(
                        kind + ": its deadline passed before the batch it was sent in"
                                + " was answered; the batch goes on for the other callers",
                        null);
            } else {
                return;
            }
        }
        item.future.completeExceptionally(failure);
    }

    /**
     * Takes every batch that may leave now: full batches always, partial ones once the flush interval
     * has passed, while fewer than {@code eagerBatchesInFlight} batches are in flight, or when the lane is closing; at most {@code maxBatchesInFlight} unless closing. Items whose
     * deadline has passed are moved to {@code expired} instead. Caller holds the lock.
     */
    private List<List<Item<Q, R>>> takeReadyBatches(long now, List<Item<Q, R>> expired) {
        List<List<Item<Q, R>>> batches = new ArrayList<>(1);
        while (!pending.isEmpty()
                && (closing || batchesInFlight < config.maxBatchesInFlight())
                && (closing
                        || intervalElapsed
                        || pending.size() >= config.maxBatchItems()
                        || batchesInFlight < config.eagerBatchesInFlight())) {
            List<Item<Q, R>> batch = new ArrayList<>(Math.min(pending.size(), config.maxBatchItems()));
            while (batch.size() < config.maxBatchItems() && !pending.isEmpty()) {
                Item<Q, R> item = pending.pollFirst();
                if (item.deadlineMillis <= now) {
                    item.state = State.DONE;
                    expired.add(item);
                } else {
                    item.state = State.SENT;
                    batch.add(item);
                }
            }
            if (!batch.isEmpty()) {
                batchesInFlight++;
                batches.add(batch);
            }
        }
        afterPendingShrank();
        return batches;
    }

    /** Keeps the flush timer consistent with what is pending. Caller holds the lock. */
    private void afterPendingShrank() {
        if (pending.isEmpty()) {
            intervalElapsed = false;
            if (flushTimer != null) {
                flushTimer.cancel();
                flushTimer = null;
            }
        }
    }

    private void sendAll(List<List<Item<Q, R>>> batches) {
        for (List<Item<Q, R>> batch : batches) {
            sendOne(batch);
        }
    }

    private void sendOne(List<Item<Q, R>> batch) {
        List<Q> requests = new ArrayList<>(batch.size());
        long batchDeadline = Long.MIN_VALUE;
        for (Item<Q, R> item : batch) {
            requests.add(item.request);
            batchDeadline = Math.max(batchDeadline, item.deadlineMillis);
        }
        CompletableFuture<List<R>> answer;
        try {
            answer = send.apply(requests, batchDeadline);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((results, failure) -> answered(batch, results, failure));
    }

    private void answered(List<Item<Q, R>> batch, List<R> results, Throwable failure) {
        Throwable cause = failure == null ? null : Limiter.unwrap(failure);
        if (cause == null && (results == null || results.size() != batch.size())) {
            cause = new LimiterException("the limiter answered " + (results == null ? 0 : results.size())
                    + " results for a batch of " + batch.size() + " " + kind + "s");
        }
        List<List<Item<Q, R>>> next;
        List<Item<Q, R>> expired = new ArrayList<>();
        boolean[] deliver = new boolean[batch.size()];
        synchronized (this) {
            for (int i = 0; i < batch.size(); i++) {
                Item<Q, R> item = batch.get(i);
                if (item.state == State.SENT) {
                    item.state = State.DONE;
                    deliver[i] = true;
                }
                if (item.deadlineTimer != null) {
                    item.deadlineTimer.cancel();
                }
            }
            batchesInFlight--;
            next = takeReadyBatches(timer.clock().nowMillis(), expired);
            completeDrainIfIdle();
        }
        for (int i = 0; i < batch.size(); i++) {
            Item<Q, R> item = batch.get(i);
            if (!deliver[i]) {
                continue;
            }
            if (cause != null) {
                item.future.completeExceptionally(cause);
            } else {
                item.future.complete(results.get(i));
            }
        }
        failExpired(expired);
        sendAll(next);
    }

    private void failExpired(List<Item<Q, R>> expired) {
        for (Item<Q, R> item : expired) {
            if (item.deadlineTimer != null) {
                item.deadlineTimer.cancel();
            }
            item.future.completeExceptionally(new DeadlineExceededException(
                    kind + " not sent: its deadline passed while it waited to be batched"));
        }
    }

    /** Caller holds the lock. */
    private void completeDrainIfIdle() {
        if (closing && batchesInFlight == 0 && pending.isEmpty()) {
            drained.complete(null);
        }
    }

    /** Schedules on the timer; null when the timer refuses (it was closed by its owner). */
    private Cancellable schedule(long delayMs, Runnable task) {
        try {
            return timer.schedule(delayMs, task);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    private enum State {
        PENDING,
        SENT,
        DONE
    }

    /** One caller's call. {@code state} and {@code deadlineTimer} are guarded by the lane's lock. */
    private static final class Item<Q, R> {
        final Q request;
        final long deadlineMillis;
        final CompletableFuture<R> future = new CompletableFuture<>();
        State state = State.PENDING;
        Cancellable deadlineTimer;

        Item(Q request, long deadlineMillis) {
            this.request = request;
            this.deadlineMillis = deadlineMillis;
        }
    }
}
