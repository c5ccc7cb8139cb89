package dev.ratelimiter.server.metrics;

import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.wire.BatchItem;
import dev.ratelimiter.server.config.LimiterSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limiter's own metrics:
 * <ul>
 *   <li>{@code ratelimiter_admissions_total{key,outcome}}: one count per requirement of each
 *       reserve; outcome {@code allowed}, {@code denied} (capacity, unknown key, decreasing, too
 *       large, expired or mismatched lease) or {@code failed} ({@code backend_error});</li>
 *   <li>{@code ratelimiter_reserve_latency_seconds{mode}} and {@code ratelimiter_complete_latency_seconds{mode}}:
 *       time spent in the limiter per call, {@code mode} {@code single} or {@code batch};</li>
 *   <li>{@code ratelimiter_batch_items{operation}}: items per batch call;</li>
 *   <li>{@code ratelimiter_batch_invalid_items_total{operation}}: batch items answered {@code invalid_request};</li>
 *   <li>{@code ratelimiter_reserved{key}}: the amount held now, sampled from the backend every
 *       {@code ratelimiter.usage-sample-interval-ms} by one background thread, so a scrape never
 *       waits for a slow backend.</li>
 * </ul>
 * Every outcome is also counted in the {@link AdmissionActivity}, under the same key label.
 *
 * <p>The request path looks each requirement's key up once, in a map from the registered keys to
 * their {@link KeyMeters} (their outcome counts and their activity series), and reads the clock
 * once per call; the outcome counters are {@link LongAdder}s that Prometheus reads at scrape time.
 *
 * <p>Thread-safety: the map of registered keys is immutable behind a volatile field, replaced under
 * {@code this} lock; the per-key meters live in concurrent maps that only grow with the registry
 * (keys are never deleted), plus the one {@link #UNKNOWN_KEY} entry.
 */
@Singleton
public final class AdmissionMetrics {
    /**
     * The {@code key} label of requirements whose key is not in the registry. It holds a space, which
     * no limit key may (keys are printable ASCII without whitespace), so it never merges with a real
     * key, not even one named {@code unknown}.
     */
    static final String UNKNOWN_KEY = "unknown key";

    private static final Logger LOG = LoggerFactory.getLogger(AdmissionMetrics.class);
    private static final AdmissionActivity.Outcome[] OUTCOMES = AdmissionActivity.Outcome.values();

    private final MeterRegistry registry;
    private final LimiterService service;
    private final Timer reserveSingle;
    private final Timer reserveBatch;
    private final Timer completeSingle;
    private final Timer completeBatch;
    private final DistributionSummary reserveBatchItems;
    private final DistributionSummary completeBatchItems;
    private final Counter reserveBatchInvalid;
    private final Counter completeBatchInvalid;
    private final ConcurrentHashMap<String, KeyMeters> metersByKey = new ConcurrentHashMap<>();
    private final KeyMeters unknownKey;
    private final ConcurrentHashMap<String, AtomicLong> reservedByKey = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sampler;
    private final AdmissionActivity activity;
    /** The registry's keys and their meters; read-only once published. */
    private volatile Map<String, KeyMeters> knownKeys = Map.of();
    /** Whether the last usage sample failed; read and written by the sampler thread only. */
    private boolean samplingFailed;

    public AdmissionMetrics(
            MeterRegistry registry, LimiterService service, LimiterSettings settings, AdmissionActivity activity) {
        this.registry = registry;
        this.activity = activity;
        this.service = service;
        this.reserveSingle = latency("ratelimiter.reserve.latency", "single");
        this.reserveBatch = latency("ratelimiter.reserve.latency", "batch");
        this.completeSingle = latency("ratelimiter.complete.latency", "single");
        this.completeBatch = latency("ratelimiter.complete.latency", "batch");
        this.reserveBatchItems = batchItems("reserve", settings.maxBatchItems());
        this.completeBatchItems = batchItems("complete", settings.maxBatchItems());
        this.reserveBatchInvalid = invalidItems("reserve");
        this.completeBatchInvalid = invalidItems("complete");
        this.unknownKey = meters(UNKNOWN_KEY);
        limitsChanged();
        this.sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ratelimiter-usage-sampler");
            thread.setDaemon(true);
            return thread;
        });
        sampler.scheduleWithFixedDelay(this::sampleUsage, 0, settings.usageSampleIntervalMs(), TimeUnit.MILLISECONDS);
    }

    /** Starts timing one call into the limiter: the value to hand back when it is decided. */
    public long startTimer() {
        return System.nanoTime();
    }

    public void reserved(long startNanos, ReserveRequest request, ReserveResponse response) {
        reserveSingle.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        count(request, response, activity.currentBucket());
    }

    public void reservedBatch(long startNanos, List<BatchItem<ReserveRequest>> items, List<ReserveResponse> results) {
        reserveBatch.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        reserveBatchItems.record(items.size());
        // Added up per key label first: a batch of 256 four-key leases then takes 4 series locks, not 1,024.
        Map<String, KeyMeters> keys = knownKeys;
        Map<KeyMeters, long[]> counts = new IdentityHashMap<>();
        int invalid = 0;
        for (int i = 0; i < items.size(); i++) {
            BatchItem<ReserveRequest> item = items.get(i);
            ReserveResponse result = results.get(i);
            if (!item.isValid() || isInvalid(result)) {
                invalid++;
                continue;
            }
            int outcome = outcome(result).ordinal();
            List<Requirement> requirements = item.value().requirements();
            for (int r = 0; r < requirements.size(); r++) {
                KeyMeters meters = keys.get(requirements.get(r).key());
                counts.computeIfAbsent(meters != null ? meters : unknownKey, m -> new long[OUTCOMES.length])[outcome]++;
            }
        }
        if (invalid > 0) {
            reserveBatchInvalid.increment(invalid);
        }
        long bucket = activity.currentBucket();
        counts.forEach((meters, byOutcome) -> {
            for (int o = 0; o < OUTCOMES.length; o++) {
                meters.record(OUTCOMES[o], byOutcome[o], bucket);
            }
        });
    }

    public void completed(long startNanos) {
        completeSingle.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    public void completedBatch(
            long startNanos, List<BatchItem<CompleteRequest>> items, List<CompleteResponse> results) {
        completeBatch.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        completeBatchItems.record(items.size());
        for (int i = 0; i < items.size(); i++) {
            if (!items.get(i).isValid()
                    || ErrorCodes.INVALID_REQUEST.equals(results.get(i).error())) {
                completeBatchInvalid.increment();
            }
        }
    }

    /**
     * Re-reads the registry's keys after an admin change, so that a new key gets its own label and
     * gauge at once rather than at the next usage sample.
     */
    public synchronized void limitsChanged() {
        Set<String> keys = new HashSet<>();
        for (LimitState state : service.states()) {
            keys.add(state.key());
        }
        if (keys.equals(knownKeys.keySet())) {
            return;
        }
        Map<String, KeyMeters> known = new HashMap<>();
        for (String key : keys) {
            known.put(key, meters(key));
            reservedByKey.computeIfAbsent(key, k -> {
                AtomicLong reserved = new AtomicLong();
                Gauge.builder("ratelimiter.reserved", reserved, AtomicLong::get)
                        .description("Amount held now by live leases, sampled from the backend")
                        .tag("key", k)
                        .register(registry);
                return reserved;
            });
        }
        knownKeys = known;
    }

    @PreDestroy
    void close() {
        sampler.shutdownNow();
    }

    private KeyMeters meters(String key) {
        return metersByKey.computeIfAbsent(key, k -> new KeyMeters(registry, k, activity.series(k)));
    }

    private void count(ReserveRequest request, ReserveResponse response, long bucket) {
        AdmissionActivity.Outcome outcome = outcome(response);
        Map<String, KeyMeters> keys = knownKeys;
        List<Requirement> requirements = request.requirements();
        for (int i = 0; i < requirements.size(); i++) {
            KeyMeters meters = keys.get(requirements.get(i).key());
            (meters != null ? meters : unknownKey).record(outcome, 1, bucket);
        }
    }

    private static AdmissionActivity.Outcome outcome(ReserveResponse response) {
        if (response.allowed()) {
            return AdmissionActivity.Outcome.ALLOWED;
        }
        return response.refusal() instanceof Refusal.BackendError
                ? AdmissionActivity.Outcome.FAILED
                : AdmissionActivity.Outcome.DENIED;
    }

    private static boolean isInvalid(ReserveResponse response) {
        return response.refusal() instanceof Refusal.InvalidRequest;
    }

    private void sampleUsage() {
        try {
            limitsChanged();
            for (LimitInfo info : service.limits()) {
                AtomicLong reserved = reservedByKey.get(info.definition().key());
                if (reserved != null) {
                    reserved.set(info.usage().reserved());
                }
            }
            if (samplingFailed) {
                LOG.info("Usage sampling works again");
                samplingFailed = false;
            }
        } catch (RuntimeException e) {
            // The gauges keep their last values; the next tick tries again. Logged once per outage.
            if (!samplingFailed) {
                LOG.warn("Usage sampling for the reserved gauges failed; keeping the last values: {}", e.toString());
                samplingFailed = true;
            }
        }
    }

    private Timer latency(String name, String mode) {
        return Timer.builder(name)
                .description("Time spent in the limiter per call")
                .tag("mode", mode)
                .publishPercentileHistogram()
                .register(registry);
    }

    private DistributionSummary batchItems(String operation, int maxBatchItems) {
        return DistributionSummary.builder("ratelimiter.batch.items")
                .description("Items per batch call")
                .tag("operation", operation)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
                .maximumExpectedValue((double) maxBatchItems)
                .register(registry);
    }

    private Counter invalidItems(String operation) {
        return Counter.builder("ratelimiter.batch.invalid.items")
                .description("Batch items answered invalid_request")
                .tag("operation", operation)
                .register(registry);
    }

    /**
     * One key label's meters: its three outcome counts (read by Prometheus through function
     * counters) and its activity series. Thread-safe.
     */
    private static final class KeyMeters {
        private final LongAdder allowed = new LongAdder();
        private final LongAdder denied = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private final AdmissionActivity.Series activity;

        KeyMeters(MeterRegistry registry, String key, AdmissionActivity.Series activity) {
            this.activity = activity;
            counter(registry, key, "allowed", allowed);
            counter(registry, key, "denied", denied);
            counter(registry, key, "failed", failed);
        }

        /** Counts {@code count} requirements (0 counts nothing) with {@code outcome} in {@code bucket}. */
        void record(AdmissionActivity.Outcome outcome, long count, long bucket) {
            if (count == 0) {
                return;
            }
            switch (outcome) {
                case ALLOWED -> allowed.add(count);
                case DENIED -> denied.add(count);
                case FAILED -> failed.add(count);
            }
            activity.add(bucket, outcome, count);
        }

        private static void counter(MeterRegistry registry, String key, String outcome, LongAdder count) {
            FunctionCounter.builder("ratelimiter.admissions", count, LongAdder::sum)
                    .description("Requirements of reserve calls by limit key and outcome")
                    .tag("key", key)
                    .tag("outcome", outcome)
                    .register(registry);
        }
    }
}
