package dev.ratelimiter.core.service;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitChange;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.PutLimitResponse;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.core.registry.LimitStore;
import dev.ratelimiter.core.wire.BatchItem;
import dev.ratelimiter.core.wire.InvalidRequestException;
import dev.ratelimiter.core.wire.RequestLimits;
import dev.ratelimiter.core.wire.RequestValidator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limiter: validation, durable admin changes, the decrease loop, and admission by a backend.
 *
 * <p>Thread-safety: reserve, complete and reads run concurrently and lock nothing here (the
 * backend is thread-safe). Admin changes and decrease applications are serialised by
 * {@code adminLock}, which guards the registry store and publishes each new snapshot through the
 * volatile {@code states} map (copy on write, never mutated after publication).
 *
 * <p>Durability: a change is saved to the store before it is installed in the backend and
 * acknowledged. If the save fails, nothing changes and the caller gets a {@link BackendException}.
 * If the save succeeds but the backend cannot install the state (TigerBeetle down), the change is
 * durable and acknowledged as failed; the decrease loop retries the install until it succeeds.
 */
public final class LimiterService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LimiterService.class);

    private static final long WARNING_INTERVAL_NANOS = 1_000_000_000L;
    /** When a request-path warning was last logged; racy by design (an extra line is harmless). */
    private static volatile long lastWarningNanos = System.nanoTime() - WARNING_INTERVAL_NANOS;

    private final Backend backend;
    private final LimitStore store;
    private final RequestValidator validator;
    private final Object adminLock = new Object();
    /** Keys whose durable state the backend has not accepted yet; retried by the decrease loop. */
    private final Set<String> pendingInstalls = ConcurrentHashMap.newKeySet();

    private volatile Map<String, LimitState> states = Map.of();
    /** True when the store missed a change the backend already made (a decrease applied, then a failed save). */
    private boolean storeBehind;
    /** The periodic decrease check; written under this object's monitor, read without it. */
    private volatile ScheduledExecutorService decreaseLoop;
    /** Whether any key is decreasing now; kept in step with {@code states} by {@link #publish}. */
    private volatile boolean anyDecreasing;
    /** True while a check triggered by a release is queued, so a burst of completes queues one. */
    private final AtomicBoolean releaseCheckQueued = new AtomicBoolean();

    private LimiterService(Backend backend, LimitStore store, RequestLimits limits) {
        this.backend = backend;
        this.store = store;
        this.validator = new RequestValidator(limits);
    }

    /**
     * Loads the registry and installs every state in the backend. A {@code decreasing} entry
     * resumes decreasing.
     *
     * @throws IOException when the store cannot be read
     * @throws dev.ratelimiter.core.registry.InvalidRegistryException when an entry breaks a rule
     */
    public static LimiterService open(Backend backend, LimitStore store, RequestLimits limits) throws IOException {
        LimiterService service = new LimiterService(backend, store, limits);
        Map<String, LimitState> loaded = new TreeMap<>();
        for (LimitState state : store.load()) {
            loaded.put(state.key(), state);
        }
        synchronized (service.adminLock) {
            service.publish(loaded);
            for (LimitState state : loaded.values()) {
                service.installOrDefer(state);
            }
        }
        return service;
    }

    /** Starts the periodic decrease check (SPEC 2.4) on a daemon thread; stopped by {@link #close()}. */
    public synchronized void startDecreaseLoop(long intervalMs) {
        if (intervalMs < 1) {
            throw new IllegalArgumentException("decrease check interval must be at least 1 ms, got " + intervalMs);
        }
        if (decreaseLoop != null) {
            throw new IllegalStateException("the decrease loop is already running");
        }
        decreaseLoop = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ratelimiter-decrease-loop");
            thread.setDaemon(true);
            return thread;
        });
        decreaseLoop.scheduleWithFixedDelay(this::decreaseTick, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    public RequestLimits requestLimits() {
        return validator.limits();
    }

    /**
     * Reserves a lease.
     *
     * @throws InvalidRequestException when the request breaks a rule of SPEC 3
     */
    public ReserveResponse reserve(ReserveRequest request) {
        validator.validate(request);
        try {
            return backend.reserve(request);
        } catch (BackendException e) {
            warnThrottled("reserve of lease " + request.leaseId() + " failed: " + e.getMessage());
            return ReserveResponse.refused(Refusal.BACKEND_ERROR);
        }
    }

    /**
     * Completes a lease.
     *
     * @throws InvalidRequestException when the request breaks a rule of SPEC 3
     */
    public CompleteResponse complete(CompleteRequest request) {
        validator.validate(request);
        try {
            CompleteResponse response = backend.complete(request);
            holdsReleased();
            return response;
        } catch (BackendException e) {
            warnThrottled("complete of lease " + request.leaseId() + " failed: " + e.getMessage());
            return CompleteResponse.failed(ErrorCodes.BACKEND_ERROR);
        }
    }

    /**
     * {@link #reserve} for a caller that must not wait (an event loop): validation happens now, the
     * answer arrives when the backend may give it (memory backend with its journal: once the record
     * is durable). A backend failure is the value {@code backend_error}, never a failed future.
     *
     * @throws InvalidRequestException when the request breaks a rule of SPEC 3
     */
    public CompletableFuture<ReserveResponse> reserveAsync(ReserveRequest request) {
        validator.validate(request);
        return backend.reserveAsync(request).exceptionally(failure -> {
            warnThrottled("reserve of lease " + request.leaseId() + " failed: "
                    + backendFailure(failure).getMessage());
            return ReserveResponse.refused(Refusal.BACKEND_ERROR);
        });
    }

    /**
     * {@link #complete} for a caller that must not wait; see {@link #reserveAsync}.
     *
     * @throws InvalidRequestException when the request breaks a rule of SPEC 3
     */
    public CompletableFuture<CompleteResponse> completeAsync(CompleteRequest request) {
        validator.validate(request);
        return backend.completeAsync(request).handle((response, failure) -> {
            if (failure != null) {
                warnThrottled("complete of lease " + request.leaseId() + " failed: "
                        + backendFailure(failure).getMessage());
                return CompleteResponse.failed(ErrorCodes.BACKEND_ERROR);
            }
            holdsReleased();
            return response;
        });
    }

    /** {@link #reserveBatch} for a caller that must not wait; see {@link #reserveAsync}. */
    public CompletableFuture<List<ReserveResponse>> reserveBatchAsync(List<BatchItem<ReserveRequest>> items) {
        return batchAsync(
                items,
                request -> validator.validate(request),
                backend::reserveAllAsync,
                detail -> ReserveResponse.refused(Refusal.INVALID_REQUEST),
                () -> ReserveResponse.refused(Refusal.BACKEND_ERROR));
    }

    /** {@link #completeBatch} for a caller that must not wait; see {@link #reserveAsync}. */
    public CompletableFuture<List<CompleteResponse>> completeBatchAsync(List<BatchItem<CompleteRequest>> items) {
        return batchAsync(
                        items,
                        request -> validator.validate(request),
                        backend::completeAllAsync,
                        detail -> CompleteResponse.failed(ErrorCodes.INVALID_REQUEST),
                        () -> CompleteResponse.failed(ErrorCodes.BACKEND_ERROR))
                .thenApply(responses -> {
                    holdsReleased();
                    return responses;
                });
    }

    /** Reserves a batch: malformed items get {@code invalid_request}, the rest go to the backend together. */
    public List<ReserveResponse> reserveBatch(List<BatchItem<ReserveRequest>> items) {
        return batch(
                items,
                request -> validator.validate(request),
                backend::reserveAll,
                detail -> ReserveResponse.refused(Refusal.INVALID_REQUEST),
                () -> ReserveResponse.refused(Refusal.BACKEND_ERROR));
    }

    /** Completes a batch: malformed items get {@code ok=false, invalid_request}, the rest go together. */
    public List<CompleteResponse> completeBatch(List<BatchItem<CompleteRequest>> items) {
        List<CompleteResponse> responses = batch(
                items,
                request -> validator.validate(request),
                backend::completeAll,
                detail -> CompleteResponse.failed(ErrorCodes.INVALID_REQUEST),
                () -> CompleteResponse.failed(ErrorCodes.BACKEND_ERROR));
        holdsReleased();
        return responses;
    }

    /**
     * Applies an admin definition (SPEC 2.4) and returns once it is durable.
     *
     * @throws InvalidRequestException when the definition breaks a rule, or changes the kind of a key
     * @throws BackendException when the registry cannot be saved (nothing changed) or the backend
     *     cannot install the durable state yet (it will be retried)
     */
    public PutLimitResponse putLimit(LimitDefinition requested) {
        return putLimit(requested, change -> {});
    }

    /**
     * Applies an admin definition like {@link #putLimit(LimitDefinition)}, and tells {@code onSaved}
     * about the change as soon as it is durable: before the backend installs it, so a change that is
     * saved but not yet applied (and so answered with a {@link BackendException}) is reported too. The
     * listener runs under the admin lock, so changes are reported in the order they were saved; it
     * must be quick and must not call back into this service.
     */
    public PutLimitResponse putLimit(LimitDefinition requested, Consumer<LimitChange> onSaved) {
        LimitDefinition definition = RequestValidator.normalise(requested);
        synchronized (adminLock) {
            LimitState current = states.get(definition.key());
            LimitState next;
            try {
                next = current == null ? LimitState.created(definition) : current.change(definition);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException(e.getMessage());
            }
            Map<String, LimitState> updated = new TreeMap<>(states);
            updated.put(next.key(), next);
            save(updated);
            publish(updated);
            onSaved.accept(new LimitChange(Optional.ofNullable(current), next));
            if (!installOrDefer(next)) {
                throw new BackendException("limit " + next.key() + " is saved but the backend has not applied it"
                        + " yet; it will be retried");
            }
            return new PutLimitResponse(true, next.status());
        }
    }

    /** Every limit with its usage, sorted by key. */
    public List<LimitInfo> limits() {
        Map<String, LimitState> snapshot = states;
        List<LimitInfo> infos = new ArrayList<>(snapshot.size());
        for (LimitState state : snapshot.values()) {
            infos.add(info(state));
        }
        return infos;
    }

    public Optional<LimitInfo> limit(String key) {
        LimitState state = states.get(key);
        return state == null ? Optional.empty() : Optional.of(info(state));
    }

    /**
     * A key's state with its usage. {@code available} is computed against the capacity of the
     * state shown, not the backend's: during an admin change the state is published a moment
     * before the backend installs it, and a reading must never pair one capacity with another's
     * availability.
     */
    private LimitInfo info(LimitState state) {
        Usage usage = backend.usage(state.key());
        return LimitInfo.of(state, Usage.of(state.definition().capacity(), usage.reserved(), usage.debt()));
    }

    /** The durable state of every key, sorted by key. */
    public List<LimitState> states() {
        return List.copyOf(states.values());
    }

    public boolean isHealthy() {
        return backend.isHealthy();
    }

    /** Why the backend is not healthy now, or empty while it is (see {@link Backend#healthProblem()}). */
    public Optional<String> healthProblem() {
        return backend.healthProblem();
    }

    /**
     * One pass of the decrease loop: retries installs the backend refused, retries a save the
     * store missed, and applies every pending decrease that now fits. Returns how many decreases
     * were applied. Tests on a manual clock call this instead of waiting for the loop.
     */
    public int applyDecreases() {
        synchronized (adminLock) {
            for (String key : List.copyOf(pendingInstalls)) {
                LimitState state = states.get(key);
                if (state != null) {
                    installOrDefer(state);
                }
            }
            if (storeBehind) {
                trySave(states);
            }
            int applied = 0;
            for (LimitState state : states.values()) {
                if (state.status() == LimitStatus.DECREASING
                        && !pendingInstalls.contains(state.key())
                        && decreaseFits(state.key())) {
                    LimitState next = state.decreaseApplied();
                    Map<String, LimitState> updated = new TreeMap<>(states);
                    updated.put(next.key(), next);
                    // The backend already runs at the lower capacity: publish that even if the save
                    // fails, and keep retrying the save. A restart before it lands resumes decreasing,
                    // which is safe (it only admits less).
                    publish(updated);
                    trySave(updated);
                    installOrDefer(next);
                    applied++;
                }
            }
            return applied;
        }
    }

    @Override
    public void close() {
        ScheduledExecutorService loop;
        synchronized (this) {
            loop = decreaseLoop;
            decreaseLoop = null;
        }
        if (loop != null) {
            loop.shutdownNow();
            try {
                if (!loop.awaitTermination(2, TimeUnit.SECONDS)) {
                    LOG.warn("the decrease loop did not stop within 2 s; closing the backend anyway");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        backend.close();
    }

    /**
     * A complete may have freed what a pending decrease waits for (SPEC 2.4: check "whenever a hold
     * of the key is released"): queue one extra check on the decrease loop's thread, unless one is
     * queued already or no key is decreasing. Expiry frees capacity lazily, so the periodic check
     * still covers holds that run out by themselves.
     */
    private void holdsReleased() {
        ScheduledExecutorService loop = decreaseLoop;
        if (!anyDecreasing || loop == null || !releaseCheckQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            loop.execute(() -> {
                releaseCheckQueued.set(false);
                decreaseTick();
            });
        } catch (RejectedExecutionException e) {
            // The loop is shutting down with the service; there is nothing left to apply.
            releaseCheckQueued.set(false);
        }
    }

    private void publish(Map<String, LimitState> updated) {
        states = Collections.unmodifiableMap(updated);
        anyDecreasing = updated.values().stream().anyMatch(state -> state.status() == LimitStatus.DECREASING);
    }

    private void decreaseTick() {
        try {
            applyDecreases();
        } catch (RuntimeException e) {
            // The loop must survive a failing backend or store; the next tick tries again.
            LOG.warn("decrease check failed; retrying on the next tick", e);
        }
    }

    /**
     * Asks the backend to apply a key's pending decrease. A backend failure on one key is logged and
     * read as "not yet", so that it does not stop the check of the other keys; the next pass asks again.
     */
    private boolean decreaseFits(String key) {
        try {
            return backend.tryApplyDecrease(key);
        } catch (BackendException e) {
            LOG.warn("backend could not check the pending decrease of " + key + "; will retry: " + e.getMessage());
            return false;
        }
    }

    /**
     * Installs a durable state in the backend, or remembers it for the next tick. Logs a warning
     * the first time a key is deferred and when it is finally applied, not on every retry, so an
     * outage of the backend does not write a line per key every tick.
     */
    private boolean installOrDefer(LimitState state) {
        try {
            backend.install(state);
            if (pendingInstalls.remove(state.key())) {
                LOG.info("backend applied limit " + state.key() + " after earlier failures");
            }
            return true;
        } catch (BackendException e) {
            boolean first = pendingInstalls.add(state.key());
            LOG.atLevel(first ? org.slf4j.event.Level.WARN : org.slf4j.event.Level.DEBUG)
                    .log("backend did not apply limit " + state.key() + "; will retry: " + e.getMessage());
            return false;
        }
    }

    private void save(Map<String, LimitState> updated) {
        try {
            store.save(List.copyOf(updated.values()));
            storeBehind = false;
        } catch (IOException | RuntimeException e) {
            throw new BackendException("could not save the registry to " + store.describe() + ": " + e.getMessage(), e);
        }
    }

    private void trySave(Map<String, LimitState> updated) {
        try {
            save(updated);
        } catch (BackendException e) {
            storeBehind = true;
            LOG.atWarn().log(() -> e.getMessage() + "; will retry");
        }
    }

    /**
     * Logs a request-path failure at WARNING at most once a second and at DEBUG otherwise, so that
     * an outage of the backend does not flood the log at the request rate.
     */
    private static void warnThrottled(String message) {
        long now = System.nanoTime();
        long last = lastWarningNanos;
        if (now - last >= WARNING_INTERVAL_NANOS) {
            lastWarningNanos = now;
            LOG.warn(message);
        } else {
            LOG.debug(message);
        }
    }

    /**
     * The backend failure a failed future carries. Anything else is a programming error and fails the
     * caller's future as it is.
     */
    private static BackendException backendFailure(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof BackendException backendException) {
            return backendException;
        }
        throw failure instanceof CompletionException completion ? completion : new CompletionException(cause);
    }

    private static <Q, R> List<R> batch(
            List<BatchItem<Q>> items,
            Consumer<Q> validate,
            Function<List<Q>, List<R>> process,
            Function<String, R> invalid,
            Supplier<R> failed) {
        ValidatedBatch<Q, R> batch = ValidatedBatch.of(items, validate, invalid);
        if (batch.valid.isEmpty()) {
            return batch.results;
        }
        List<R> processed;
        try {
            processed = process.apply(batch.valid);
        } catch (BackendException e) {
            LimiterService.warnThrottled("batch of " + batch.valid.size() + " failed: " + e.getMessage());
            processed = Collections.nCopies(batch.valid.size(), failed.get());
        }
        return batch.fill(processed);
    }

    private static <Q, R> CompletableFuture<List<R>> batchAsync(
            List<BatchItem<Q>> items,
            Consumer<Q> validate,
            Function<List<Q>, CompletableFuture<List<R>>> process,
            Function<String, R> invalid,
            Supplier<R> failed) {
        ValidatedBatch<Q, R> batch = ValidatedBatch.of(items, validate, invalid);
        if (batch.valid.isEmpty()) {
            return CompletableFuture.completedFuture(batch.results);
        }
        return process.apply(batch.valid).handle((processed, failure) -> {
            if (failure != null) {
                LimiterService.warnThrottled("batch of " + batch.valid.size() + " failed: "
                        + backendFailure(failure).getMessage());
                return batch.fill(Collections.nCopies(batch.valid.size(), failed.get()));
            }
            return batch.fill(processed);
        });
    }

    /**
     * A batch after validation: malformed items answered in their slots, the valid ones (and their
     * slots) waiting for the backend. Confined to the call that made it.
     */
    private static final class ValidatedBatch<Q, R> {
        final List<R> results;
        final List<Q> valid;
        final List<Integer> slots;

        private ValidatedBatch(int size) {
            results = new ArrayList<>(Collections.nCopies(size, null));
            valid = new ArrayList<>(size);
            slots = new ArrayList<>(size);
        }

        static <Q, R> ValidatedBatch<Q, R> of(
                List<BatchItem<Q>> items, Consumer<Q> validate, Function<String, R> invalid) {
            ValidatedBatch<Q, R> batch = new ValidatedBatch<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                BatchItem<Q> item = items.get(i);
                String detail = item.invalidDetail();
                if (item.isValid()) {
                    try {
                        validate.accept(item.value());
                        batch.valid.add(item.value());
                        batch.slots.add(i);
                        continue;
                    } catch (InvalidRequestException e) {
                        detail = e.detail();
                    }
                }
                int slot = i;
                String why = detail;
                LOG.atDebug().log(() -> "batch item " + slot + " is invalid: " + why);
                batch.results.set(i, invalid.apply(detail));
            }
            return batch;
        }

        /** Puts the backend's answers, in the order of the valid items, into their slots. */
        List<R> fill(List<R> processed) {
            for (int j = 0; j < slots.size(); j++) {
                results.set(slots.get(j), processed.get(j));
            }
            return results;
        }
    }
}
