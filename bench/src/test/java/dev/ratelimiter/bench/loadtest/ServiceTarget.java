package dev.ratelimiter.bench.loadtest;

import dev.ratelimiter.core.memory.MemoryBackend;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.registry.InMemoryStore;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.core.wire.BatchItem;
import dev.ratelimiter.core.wire.RequestLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.HdrHistogram.Histogram;

/** A load target on core's service and memory backend, for tests of the driver without a client. */
final class ServiceTarget implements LoadTarget {
    private final LimiterService service;
    private final Histogram batchSizes = new Histogram(3);

    ServiceTarget() {
        try {
            service = LimiterService.open(
                    new MemoryBackend(Clock.system(), new RetryHints(RetryPolicy.DEFAULT, Clock.system())),
                    new InMemoryStore(),
                    RequestLimits.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String describe() {
        return "service in process";
    }

    @Override
    public void seed(List<LimitDefinition> definitions) {
        definitions.forEach(service::putLimit);
    }

    @Override
    public List<ReserveResponse> reserve(List<ReserveRequest> requests) {
        record(requests.size());
        return service.reserveBatch(requests.stream().map(BatchItem::of).toList());
    }

    @Override
    public List<CompleteResponse> complete(List<CompleteRequest> requests) {
        return service.completeBatch(requests.stream().map(BatchItem::of).toList());
    }

    @Override
    public synchronized Histogram takeBatchSizes() {
        Histogram taken = batchSizes.copy();
        batchSizes.reset();
        return taken;
    }

    private synchronized void record(int size) {
        batchSizes.recordValue(size);
    }

    @Override
    public void close() {
        service.close();
    }
}
