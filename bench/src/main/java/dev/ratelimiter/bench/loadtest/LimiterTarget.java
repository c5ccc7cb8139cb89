package dev.ratelimiter.bench.loadtest;

import dev.ratelimiter.client.Limiter;
import dev.ratelimiter.client.batch.Batcher;
import dev.ratelimiter.client.batch.BatcherConfig;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A load target on a client {@link Limiter}: the HTTP limiter or the local limiter, optionally
 * behind the client's {@link Batcher}.
 *
 * <p>A single request goes out as a single call, a list as one batch call. With {@code coalesce},
 * single calls go through a batcher, which packs concurrent ones into batch calls; the batch sizes
 * are recorded below the batcher, where the calls reach the limiter.
 *
 * <p>Thread-safe: the limiter and the batcher are; the batch sizes go to a wait-free {@link Recorder}.
 */
final class LimiterTarget implements LoadTarget {
    private final String description;
    private final Limiter limiter;
    private final Batcher batcher;
    private final Consumer<LimitDefinition> seeder;
    private final Recorder batchSizes = new Recorder(3);

    /**
     * @param limiter the limiter to drive; closed with this target
     * @param seeder installs one limit definition (admin PUT, or the local limiter's putLimit)
     */
    LimiterTarget(String description, Limiter limiter, Consumer<LimitDefinition> seeder, boolean coalesce) {
        this(description, limiter, seeder, coalesce ? BatcherConfig.DEFAULT : null);
    }

    /** @param batching the batcher's configuration; null sends single calls as they are */
    LimiterTarget(String description, Limiter limiter, Consumer<LimitDefinition> seeder, BatcherConfig batching) {
        this.description = description + (batching != null ? " (batcher)" : "");
        this.limiter = new SizeRecordingLimiter(limiter, batchSizes);
        this.batcher = batching != null ? new Batcher(this.limiter, batching, null) : null;
        this.seeder = seeder;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void seed(List<LimitDefinition> definitions) {
        definitions.forEach(seeder);
    }

    @Override
    public List<ReserveResponse> reserve(List<ReserveRequest> requests) {
        if (requests.size() == 1) {
            return List.of((batcher != null ? batcher : limiter).reserve(requests.get(0)));
        }
        return limiter.reserveBatch(requests);
    }

    @Override
    public List<CompleteResponse> complete(List<CompleteRequest> requests) {
        if (requests.size() == 1) {
            return List.of((batcher != null ? batcher : limiter).complete(requests.get(0)));
        }
        return limiter.completeBatch(requests);
    }

    @Override
    public Histogram takeBatchSizes() {
        return batchSizes.getIntervalHistogram();
    }

    @Override
    public void close() {
        if (batcher != null) {
            batcher.close();
        }
        limiter.close();
    }

    /**
     * Passes every call on, recording how many requests each reserve call carries. The synchronous
     * forms go to the delegate's synchronous forms, which may run on the caller's thread (the HTTP
     * limiter's do); through the asynchronous ones every call would pay a thread hand-off.
     */
    private static final class SizeRecordingLimiter implements Limiter {
        private final Limiter delegate;
        private final Recorder sizes;

        SizeRecordingLimiter(Limiter delegate, Recorder sizes) {
            this.delegate = delegate;
            this.sizes = sizes;
        }

        @Override
        public CompletableFuture<ReserveResponse> reserveAsync(ReserveRequest request, long deadlineMillis) {
            sizes.recordValue(1);
            return delegate.reserveAsync(request, deadlineMillis);
        }

        @Override
        public CompletableFuture<CompleteResponse> completeAsync(CompleteRequest request, long deadlineMillis) {
            return delegate.completeAsync(request, deadlineMillis);
        }

        @Override
        public ReserveResponse reserve(ReserveRequest request, long deadlineMillis) {
            sizes.recordValue(1);
            return delegate.reserve(request, deadlineMillis);
        }

        @Override
        public CompleteResponse complete(CompleteRequest request, long deadlineMillis) {
            return delegate.complete(request, deadlineMillis);
        }

        @Override
        public List<ReserveResponse> reserveBatch(List<ReserveRequest> requests, long deadlineMillis) {
            sizes.recordValue(requests.size());
            return delegate.reserveBatch(requests, deadlineMillis);
        }

        @Override
        public List<CompleteResponse> completeBatch(List<CompleteRequest> requests, long deadlineMillis) {
            return delegate.completeBatch(requests, deadlineMillis);
        }

        @Override
        public CompletableFuture<List<ReserveResponse>> reserveBatchAsync(
                List<ReserveRequest> requests, long deadlineMillis) {
            sizes.recordValue(requests.size());
            return delegate.reserveBatchAsync(requests, deadlineMillis);
        }

        @Override
        public CompletableFuture<List<CompleteResponse>> completeBatchAsync(
                List<CompleteRequest> requests, long deadlineMillis) {
            return delegate.completeBatchAsync(requests, deadlineMillis);
        }

        @Override
        public Clock clock() {
            return delegate.clock();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
