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
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>Thread-safety: the set of registered keys is an immutable set behind a volatile field,
 * replaced under {@code this} lock; per-key meters live in concurrent maps that only grow with the
 * registry (keys are never deleted), plus the one {@link #UNKNOWN_KEY} entry.
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
    private final ConcurrentHashMap<String, Outcomes> outcomesByKey = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong> reservedByKey = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sampler;
    private final AdmissionActivity activity;
    private volatile Set<String> knownKeys = Set.of();
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
        outcomesByKey.put(UNKNOWN_KEY, new Outcomes(registry, UNKNOWN_KEY));
        activity.register(UNKNOWN_KEY);
        limitsChanged();
        this.sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ratelimiter-usage-sampler");
            thread.setDaemon(true);
            return thread;
        });
        sampler.scheduleWithFixedDelay(this::sampleUsage, 0, settings.usageSampleIntervalMs(), TimeUnit.MILLISECONDS);
    }

    /** Starts timing one call into the limiter. */
    public Timer.Sample startTimer() {
        return Timer.start(registry);
    }

    public void reserved(Timer.Sample sample, ReserveRequest request, ReserveResponse response) {
        sample.stop(reserveSingle);
        count(request, response);
    }

    public void reservedBatch(
            Timer.Sample sample, List<BatchItem<ReserveRequest>> items, List<ReserveResponse> results) {
        sample.stop(reserveBatch);
        reserveBatchItems.record(items.size());
        for (int i = 0; i < items.size(); i++) {
            BatchItem<ReserveRequest> item = items.get(i);
            if (item.isValid() && !isInvalid(results.get(i))) {
                count(item.value(), results.get(i));
            } else {
                reserveBatchInvalid.increment();
            }
        }
    }

    public void completed(Timer.Sample sample) {
        sample.stop(completeSingle);
    }

    public void completedBatch(
            Timer.Sample sample, List<BatchItem<CompleteRequest>> items, List<CompleteResponse> results) {
        sample.stop(completeBatch);
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
        if (keys.equals(knownKeys)) {
            return;
        }
        for (String key : keys) {
            outcomesByKey.computeIfAbsent(key, k -> new Outcomes(registry, k));
            activity.register(key);
            reservedByKey.computeIfAbsent(key, k -> {
                AtomicLong reserved = new AtomicLong();
                Gauge.builder("ratelimiter.reserved", reserved, AtomicLong::get)
                        .description("Amount held now by live leases, sampled from the backend")
                        .tag("key", k)
                        .register(registry);
                return reserved;
            });
        }
        knownKeys = Set.copyOf(keys);
    }

    @PreDestroy
    void close() {
        sampler.shutdownNow();
    }

    private void count(ReserveRequest request, ReserveResponse response) {
        Set<String> keys = knownKeys;
        for (Requirement requirement : request.requirements()) {
            String key = keys.contains(requirement.key()) ? requirement.key() : UNKNOWN_KEY;
            activity.record(key, outcomesByKey.get(key).record(response));
        }
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

    /** The three outcome counters of one key label. Immutable. */
    private static final class Outcomes {
        private final Counter allowed;
        private final Counter denied;
        private final Counter failed;

        Outcomes(MeterRegistry registry, String key) {
            this.allowed = counter(registry, key, "allowed");
            this.denied = counter(registry, key, "denied");
            this.failed = counter(registry, key, "failed");
        }

        AdmissionActivity.Outcome record(ReserveResponse response) {
            if (response.allowed()) {
                allowed.increment();
                return AdmissionActivity.Outcome.ALLOWED;
            }
            if (response.refusal() instanceof Refusal.BackendError) {
                failed.increment();
                return AdmissionActivity.Outcome.FAILED;
            }
            denied.increment();
            return AdmissionActivity.Outcome.DENIED;
        }

        private static Counter counter(MeterRegistry registry, String key, String outcome) {
            return Counter.builder("ratelimiter.admissions")
                    .description("Requirements of reserve calls by limit key and outcome")
                    .tag("key", key)
                    .tag("outcome", outcome)
                    .register(registry);
        }
    }
}
