package dev.ratelimiter.client.local;

import dev.ratelimiter.client.DeadlineExceededException;
import dev.ratelimiter.client.Limiter;
import dev.ratelimiter.client.LimiterClosedException;
import dev.ratelimiter.core.journal.JournalIo;
import dev.ratelimiter.core.journal.JournalSettings;
import dev.ratelimiter.core.memory.MemoryBackend;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.PutLimitResponse;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.registry.InMemoryStore;
import dev.ratelimiter.core.registry.LimitStore;
import dev.ratelimiter.core.registry.LimitsFile;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.core.wire.BatchItem;
import dev.ratelimiter.core.wire.InvalidRequestException;
import dev.ratelimiter.core.wire.RequestLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Limiter} in process: the memory backend behind a {@link LimiterService}, exactly as the
 * server runs it (same validation, same admission, same retry hints, same decrease loop), without
 * HTTP. Holds live in memory only and are lost when the process ends, unless a journal directory is
 * given ({@link Builder#journal}): then holds, debts and lease records survive a restart, and a call
 * returns only once its change is durable (docs/DECISIONS.md, "The memory backend's journal").
 *
 * <p>Answers as the HTTP limiter would: a request that breaks a rule of SPEC 3 answers
 * {@code invalid_request} (the detail is logged), an oversized batch is an
 * {@link InvalidRequestException}. Every call runs on the caller's thread and is answered at once,
 * so the returned futures are already complete and a deadline can only have passed before the call.
 *
 * <p>Limits come from a limits file ({@code {"limits":[LimitDefinition...]}}) or from code. They
 * seed the registry: keys the registry has already keep their state (matters with a durable
 * registry), new keys are created. {@link #putLimit} changes limits at run time, with the rules of
 * the admin API (a lower capacity starts decreasing).
 *
 * <p>Thread-safe: the service and the backend are; the closed flag is volatile.
 */
public final class LocalLimiter implements Limiter {
    /** The server's default interval of the decrease check (SPEC 2.4). */
    public static final long DEFAULT_DECREASE_CHECK_INTERVAL_MS = 200;

    private static final Logger LOG = LoggerFactory.getLogger(LocalLimiter.class);

    private final LimiterService service;
    private final Clock clock;
    private final RequestLimits requestLimits;
    private volatile boolean closed;

    private LocalLimiter(LimiterService service, Clock clock, RequestLimits requestLimits) {
        this.service = service;
        this.clock = clock;
        this.requestLimits = requestLimits;
    }

    /**
     * A local limiter with the limits of {@code limitsFile}, the system clock, the default retry
     * policy and the decrease check every 200 ms.
     *
     * @throws IOException when the file cannot be read
     * @throws dev.ratelimiter.core.registry.InvalidRegistryException when it holds an invalid entry;
     *     the message names the entry and the rule
     */
    public static LocalLimiter fromLimitsFile(Path limitsFile) throws IOException {
        return builder().limitsFile(limitsFile).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public CompletableFuture<ReserveResponse> reserveAsync(ReserveRequest request, long deadlineMillis) {
        return answer("reserve of lease " + request.leaseId(), deadlineMillis, () -> {
            try {
                return service.reserve(request);
            } catch (InvalidRequestException e) {
                LOG.atWarn().log(() -> "reserve of lease " + request.leaseId() + " is invalid: " + e.detail());
                return ReserveResponse.refused(Refusal.INVALID_REQUEST);
            }
        });
    }

    @Override
    public CompletableFuture<CompleteResponse> completeAsync(CompleteRequest request, long deadlineMillis) {
        return answer("complete of lease " + request.leaseId(), deadlineMillis, () -> {
            try {
                return service.complete(request);
            } catch (InvalidRequestException e) {
                LOG.atWarn().log(() -> "complete of lease " + request.leaseId() + " is invalid: " + e.detail());
                return CompleteResponse.failed(ErrorCodes.INVALID_REQUEST);
            }
        });
    }

    @Override
    public CompletableFuture<List<ReserveResponse>> reserveBatchAsync(
            List<ReserveRequest> requests, long deadlineMillis) {
        Limiter.requireBatchSize(requests, requestLimits.maxBatchItems());
        return answer(
                "batch of " + requests.size() + " reserves",
                deadlineMillis,
                () -> service.reserveBatch(items(requests)));
    }

    @Override
    public CompletableFuture<List<CompleteResponse>> completeBatchAsync(
            List<CompleteRequest> requests, long deadlineMillis) {
        Limiter.requireBatchSize(requests, requestLimits.maxBatchItems());
        return answer(
                "batch of " + requests.size() + " completes",
                deadlineMillis,
                () -> service.completeBatch(items(requests)));
    }

    /**
     * Creates or changes a limit with the rules of the admin API (SPEC 2.4).
     *
     * @throws InvalidRequestException when the definition breaks a rule or changes a key's kind
     * @throws dev.ratelimiter.core.backend.BackendException when a durable registry cannot be saved
     */
    public PutLimitResponse putLimit(LimitDefinition definition) {
        requireOpen("putLimit");
        return service.putLimit(definition);
    }

    /** Every limit with its usage, sorted by key. */
    public List<LimitInfo> limits() {
        return service.limits();
    }

    public Optional<LimitInfo> limit(String key) {
        return service.limit(key);
    }

    /**
     * Runs one pass of the decrease check now; returns how many decreases were applied. For tests on
     * a manual clock, which build the limiter without the periodic loop.
     */
    public int applyDecreases() {
        return service.applyDecreases();
    }

    /** Stops the decrease loop and drops every hold; later calls fail with {@link LimiterClosedException}. */
    @Override
    public void close() {
        closed = true;
        service.close();
    }

    private <R> CompletableFuture<R> answer(String what, long deadlineMillis, Supplier<R> call) {
        if (closed) {
            return CompletableFuture.failedFuture(
                    new LimiterClosedException(what + " refused: the local limiter is closed"));
        }
        long now = clock.nowMillis();
        if (deadlineMillis <= now) {
            return CompletableFuture.failedFuture(new DeadlineExceededException(
                    what + " not run: its deadline passed " + (now - deadlineMillis) + " ms before the call"));
        }
        return CompletableFuture.completedFuture(call.get());
    }

    private void requireOpen(String what) {
        if (closed) {
            throw new LimiterClosedException(what + " refused: the local limiter is closed");
        }
    }

    private static <Q> List<BatchItem<Q>> items(List<Q> requests) {
        List<BatchItem<Q>> items = new ArrayList<>(requests.size());
        for (Q request : requests) {
            items.add(BatchItem.of(request));
        }
        return items;
    }

    /** Builds a {@link LocalLimiter}; not thread-safe. */
    public static final class Builder {
        private final List<LimitDefinition> limits = new ArrayList<>();
        private Path limitsFile;
        private LimitStore registry;
        private Clock clock = Clock.system();
        private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
        private RequestLimits requestLimits = RequestLimits.DEFAULT;
        private long decreaseCheckIntervalMs = DEFAULT_DECREASE_CHECK_INTERVAL_MS;
        private JournalSettings journal;

        private Builder() {}

        /**
         * Keeps the books (holds, debts, lease records) in a journal in {@code directory}, so that they
         * survive a restart of the process; default: off, because a library has no directory of its
         * own to write to. One process at a time may use a directory.
         */
        public Builder journal(Path directory) {
            return journal(JournalSettings.of(Objects.requireNonNull(directory, "directory")));
        }

        /** As {@link #journal(Path)}, with settings of its own (fsync off for tests, say). */
        public Builder journal(JournalSettings settings) {
            this.journal = Objects.requireNonNull(settings, "journal");
            return this;
        }

        /** Seeds these limits (after those of the limits file, if any). */
        public Builder limits(List<LimitDefinition> definitions) {
            limits.addAll(definitions);
            return this;
        }

        /** Seeds the limits of this file ({@code {"limits":[LimitDefinition...]}}). */
        public Builder limitsFile(Path file) {
            this.limitsFile = Objects.requireNonNull(file, "limitsFile");
            return this;
        }

        /**
         * Where limit states are kept between runs; default: in memory only. With a durable
         * {@link dev.ratelimiter.core.registry.FileRegistry}, run-time changes survive a restart.
         */
        public Builder registry(LimitStore store) {
            this.registry = Objects.requireNonNull(store, "registry");
            return this;
        }

        /** The clock of holds and deadlines; tests pass a manual clock. */
        public Builder clock(Clock newClock) {
            this.clock = Objects.requireNonNull(newClock, "clock");
            return this;
        }

        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
            return this;
        }

        public Builder requestLimits(RequestLimits newRequestLimits) {
            this.requestLimits = Objects.requireNonNull(newRequestLimits, "requestLimits");
            return this;
        }

        /**
         * How often the decrease loop checks pending decreases (default 200 ms); 0 runs no loop, and
         * the caller runs {@link LocalLimiter#applyDecreases()} itself.
         */
        public Builder decreaseCheckIntervalMs(long intervalMs) {
            if (intervalMs < 0 || intervalMs > 3_600_000) {
                throw new IllegalArgumentException(
                        "decreaseCheckIntervalMs: must be from 0 to 3600000, got " + intervalMs);
            }
            this.decreaseCheckIntervalMs = intervalMs;
            return this;
        }

        /**
         * @throws IOException when the limits file, the registry or the journal cannot be read
         *     ({@link dev.ratelimiter.core.journal.JournalDamagedException} names a damaged file and offset)
         * @throws dev.ratelimiter.core.registry.InvalidRegistryException when either holds an invalid
         *     entry; the message names the entry and the rule
         */
        public LocalLimiter build() throws IOException {
            List<LimitDefinition> seed = new ArrayList<>();
            if (limitsFile != null) {
                seed.addAll(LimitsFile.read(limitsFile));
            }
            seed.addAll(limits);
            Set<String> seedKeys = new HashSet<>();
            for (LimitDefinition definition : seed) {
                if (!seedKeys.add(definition.key())) {
                    throw new IllegalArgumentException("limits: key \"" + definition.key()
                            + "\" is defined twice (in the limits file and in code, or twice in code)");
                }
            }
            MemoryBackend backend = journal == null
                    ? new MemoryBackend(clock, new RetryHints(retryPolicy, clock))
                    : MemoryBackend.withJournal(
                            clock,
                            new RetryHints(retryPolicy, clock),
                            MemoryBackend.DEFAULT_MAX_TOMBSTONES,
                            journal,
                            JournalIo.files());
            LimiterService service;
            try {
                service =
                        LimiterService.open(backend, registry == null ? new InMemoryStore() : registry, requestLimits);
            } catch (IOException | RuntimeException e) {
                backend.close();
                throw e;
            }
            try {
                Set<String> known = new HashSet<>();
                for (LimitState state : service.states()) {
                    known.add(state.key());
                }
                for (LimitDefinition definition : seed) {
                    if (known.add(definition.key())) {
                        service.putLimit(definition);
                    }
                }
                if (decreaseCheckIntervalMs > 0) {
                    service.startDecreaseLoop(decreaseCheckIntervalMs);
                }
            } catch (RuntimeException e) {
                service.close();
                throw e;
            }
            return new LocalLimiter(service, clock, requestLimits);
        }
    }
}
