package dev.ratelimiter.bench.workload;

import dev.ratelimiter.bench.workload.LlmCall.ModelSpec;
import dev.ratelimiter.client.llm.CountAccuracy;
import dev.ratelimiter.core.llm.LlmRequirements;
import dev.ratelimiter.core.memory.MemoryBackend;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.registry.InMemoryStore;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.time.ManualClock;
import dev.ratelimiter.core.wire.RequestLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Runs a workload through the memory backend in virtual time: an event loop moves a manual clock
 * from one event to the next (an arrival, a retry, the end of a call), so an hour of traffic takes
 * seconds and nothing sleeps.
 *
 * <p>The client is modelled on the project's scheduler: one first-in-first-out queue per model; the
 * head of a queue reserves with a new lease id; on a denial the queue waits the limiter's
 * {@code retry_after_ms} (jitter drawn from the run's seed) and tries again; a call that has waited
 * longer than the maximum wait is given up. An admitted call runs for its duration and then
 * completes with its real usage, which frees the slack or takes the overage (SPEC 2.3).
 *
 * <p>Limits per model: tokens per minute as given (overage {@code debt}), 10,000 requests per minute
 * and 1,000 calls in flight (neither binds), and each tenant's daily tokens at 10^12.
 *
 * <p>Not thread-safe: one run, one thread.
 */
final class VirtualTimeRun {
    private static final long START_UNIX_MS = 1_800_000_000_000L;
    private static final long WINDOW_SECONDS = 60;

    private final List<LlmCall> calls;
    private final ReservationMode mode;
    private final long tpmCapacity;
    private final long maxWaitMs;
    private final ManualClock clock = new ManualClock(START_UNIX_MS);
    private final LimiterService service;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final Map<ModelSpec, ArrayDeque<LlmCall>> queues = new HashMap<>();
    private final Map<ModelSpec, Boolean> retryPending = new HashMap<>();
    private final List<Admission> admissions = new ArrayList<>();
    private final List<Long> completionsMs = new ArrayList<>();
    private final List<Long> abandonsMs = new ArrayList<>();
    private long sequence;
    private long attempts;

    private VirtualTimeRun(List<LlmCall> calls, ReservationMode mode, long tpmCapacity, long maxWaitMs, long seed) {
        this.calls = calls;
        this.mode = mode;
        this.tpmCapacity = tpmCapacity;
        this.maxWaitMs = maxWaitMs;
        SplittableRandom jitterRandom = new SplittableRandom(seed);
        RetryHints hints =
                new RetryHints(RetryPolicy.DEFAULT, clock, bound -> bound <= 0 ? 0 : jitterRandom.nextLong(bound + 1));
        try {
            this.service =
                    LimiterService.open(new MemoryBackend(clock, hints), new InMemoryStore(), RequestLimits.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException("an in-memory registry cannot fail to open", e);
        }
        for (ModelSpec model : WorkloadGenerator.MODELS) {
            String prefix = "global:llm:" + model.provider() + ":" + model.model() + ":";
            service.putLimit(LimitDefinition.rolling(prefix + "tpm", tpmCapacity, WINDOW_SECONDS));
            service.putLimit(LimitDefinition.rolling(prefix + "rpm", 10_000, WINDOW_SECONDS));
            service.putLimit(LimitDefinition.concurrency(prefix + "concurrency", 1_000, 3_600));
            queues.put(model, new ArrayDeque<>());
            retryPending.put(model, false);
        }
        for (String tenant : WorkloadGenerator.TENANTS) {
            service.putLimit(
                    LimitDefinition.rolling("tenant:" + tenant + ":llm:daily_tokens", 1_000_000_000_000L, 86_400));
        }
    }

    /**
     * Runs {@code calls} (arriving in {@code [0, durationMs)}) and measures {@code [warmupMs, durationMs)}.
     *
     * @param seed the seed of the retry hints' jitter
     */
    static RunResult run(
            List<LlmCall> calls,
            ReservationMode mode,
            double load,
            long tpmCapacity,
            long durationMs,
            long warmupMs,
            long maxWaitMs,
            long seed) {
        VirtualTimeRun run = new VirtualTimeRun(calls, mode, tpmCapacity, maxWaitMs, seed);
        try {
            run.loop(durationMs);
            return run.result(load, durationMs, warmupMs);
        } finally {
            run.service.close();
        }
    }

    private void loop(long durationMs) {
        for (LlmCall call : calls) {
            schedule(call.arrivalMs(), EventKind.ARRIVAL, call, null);
        }
        while (!events.isEmpty() && events.peek().timeMs < durationMs) {
            Event event = events.poll();
            clock.advanceMillis(START_UNIX_MS + event.timeMs - clock.nowMillis());
            switch (event.kind) {
                case ARRIVAL -> {
                    queues.get(event.call.model()).add(event.call);
                    if (!retryPending.get(event.call.model())) {
                        dispatch(event.timeMs, event.call.model());
                    }
                }
                case RETRY -> {
                    retryPending.put(event.model, false);
                    dispatch(event.timeMs, event.model);
                }
                case COMPLETE -> complete(event.timeMs, event.call, event.leaseId);
            }
        }
    }

    private void dispatch(long nowMs, ModelSpec model) {
        ArrayDeque<LlmCall> queue = queues.get(model);
        while (!queue.isEmpty()) {
            LlmCall head = queue.peek();
            if (nowMs - head.arrivalMs() > maxWaitMs) {
                queue.poll();
                abandonsMs.add(nowMs);
                continue;
            }
            String leaseId = "c" + head.id() + "-" + attempts++;
            ReserveResponse response = service.reserve(mode.requirements(head).reserveRequest(leaseId));
            if (response.allowed()) {
                queue.poll();
                admissions.add(new Admission(head, nowMs));
                schedule(nowMs + head.durationMs(), EventKind.COMPLETE, head, leaseId);
                continue;
            }
            if (!response.error().isEmpty()) {
                throw new IllegalStateException("call " + head.id() + " refused with " + response.error()
                        + ": the workload's limits must fit every call");
            }
            retryPending.put(model, true);
            schedule(nowMs + Math.max(1, response.retryAfterMs()), EventKind.RETRY, model);
            return;
        }
    }

    private void complete(long nowMs, LlmCall call, String leaseId) {
        LlmRequirements requirements = mode.requirements(call);
        service.complete(new CompleteRequest(
                leaseId, "", requirements.actuals(call.promptTokensActual(), call.outputTokensActual())));
        completionsMs.add(nowMs);
    }

    private RunResult result(double load, long durationMs, long warmupMs) {
        double minutes = (durationMs - warmupMs) / 60_000.0;
        long[] waits = admissions.stream()
                .filter(a -> a.atMs >= warmupMs)
                .mapToLong(a -> a.atMs - a.call.arrivalMs())
                .sorted()
                .toArray();
        long tokensUsed = admissions.stream()
                .filter(a -> a.atMs >= warmupMs)
                .mapToLong(a -> a.call.actualTokens())
                .sum();
        double capacityTokens = tpmCapacity * minutes * WorkloadGenerator.MODELS.size();
        double tpmShare = tokensUsed / capacityTokens;
        long tokensOffered = calls.stream()
                .filter(c -> c.arrivalMs() >= warmupMs)
                .mapToLong(LlmCall::actualTokens)
                .sum();
        long over429Exact = 0;
        long over429Estimated = 0;
        long debt = 0;
        for (ModelSpec model : WorkloadGenerator.MODELS) {
            long overs = windowsOverCapacity(model);
            boolean exact = calls.stream()
                    .filter(c -> c.model().equals(model))
                    .findFirst()
                    .map(c -> c.accuracy() == CountAccuracy.EXACT)
                    .orElse(true);
            if (exact) {
                over429Exact += overs;
            } else {
                over429Estimated += overs;
            }
            debt += service.limit("global:llm:" + model.provider() + ":" + model.model() + ":tpm")
                    .orElseThrow()
                    .usage()
                    .debt();
        }
        return new RunResult(
                mode,
                load,
                tokensOffered / capacityTokens,
                countFrom(completionsMs, warmupMs) / minutes,
                tpmShare,
                percentile(waits, 0.50),
                percentile(waits, 0.99),
                countFrom(abandonsMs, warmupMs) / minutes,
                over429Exact,
                over429Estimated,
                debt);
    }

    /**
     * How many admissions of {@code model} found the real tokens admitted in the window ending with
     * them (themselves included) above the capacity: what the provider, counting real usage from
     * the moment a call starts, would have refused.
     */
    private long windowsOverCapacity(ModelSpec model) {
        List<Admission> ofModel =
                admissions.stream().filter(a -> a.call.model().equals(model)).toList();
        long windowMs = WINDOW_SECONDS * 1000;
        long sum = 0;
        long overs = 0;
        int first = 0;
        for (Admission admission : ofModel) {
            sum += admission.call.actualTokens();
            while (ofModel.get(first).atMs <= admission.atMs - windowMs) {
                sum -= ofModel.get(first).call.actualTokens();
                first++;
            }
            if (sum > tpmCapacity) {
                overs++;
            }
        }
        return overs;
    }

    private static long countFrom(List<Long> timesMs, long fromMs) {
        return timesMs.stream().filter(t -> t >= fromMs).count();
    }

    private static long percentile(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private void schedule(long timeMs, EventKind kind, LlmCall call, String leaseId) {
        events.add(new Event(timeMs, sequence++, kind, call, call.model(), leaseId));
    }

    private void schedule(long timeMs, EventKind kind, ModelSpec model) {
        events.add(new Event(timeMs, sequence++, kind, null, model, null));
    }

    private enum EventKind {
        ARRIVAL,
        RETRY,
        COMPLETE
    }

    /** One event of the loop; ties in time run in the order they were scheduled. */
    private static final class Event implements Comparable<Event> {
        final long timeMs;
        final long sequence;
        final EventKind kind;
        final LlmCall call;
        final ModelSpec model;
        final String leaseId;

        Event(long timeMs, long sequence, EventKind kind, LlmCall call, ModelSpec model, String leaseId) {
            this.timeMs = timeMs;
            this.sequence = sequence;
            this.kind = kind;
            this.call = call;
            this.model = model;
            this.leaseId = leaseId;
        }

        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(timeMs, other.timeMs);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    private record Admission(LlmCall call, long atMs) {}
}
