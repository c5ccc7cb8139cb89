package dev.ratelimiter.server.http;

import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.wire.BatchItem;
import dev.ratelimiter.core.wire.WireCodec;
import dev.ratelimiter.server.lifecycle.LimiterServiceFactory;
import dev.ratelimiter.server.lifecycle.WorkerPool;
import dev.ratelimiter.server.metrics.AdmissionMetrics;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Named;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reserve and complete, single and batched (SPEC 3). Every call runs on the admission pool; the
 * body is decoded there too, so that a 1 MiB batch never occupies the event loop.
 */
@Controller("/v1")
@Produces(MediaType.APPLICATION_JSON)
public final class AdmissionController {
    private final LimiterService service;
    private final WireCodec codec;
    private final AdmissionMetrics metrics;
    private final WorkerPool pool;

    public AdmissionController(LimiterService service, WireCodec codec, AdmissionMetrics metrics,
            @Named(LimiterServiceFactory.ADMISSION_POOL) WorkerPool pool) {
        this.service = service;
        this.codec = codec;
        this.metrics = metrics;
        this.pool = pool;
    }

    @Post(uri = "/reserve", consumes = MediaType.ALL)
    public CompletableFuture<HttpResponse<byte[]>> reserve(@Body byte[] body) {
        return pool.submit(() -> {
            ReserveRequest request = codec.readReserveRequest(body);
            Timer.Sample sample = metrics.startTimer();
            ReserveResponse response = service.reserve(request);
            metrics.reserved(sample, request, response);
            return JsonResponses.ok(codec.write(response));
        });
    }

    @Post(uri = "/complete", consumes = MediaType.ALL)
    public CompletableFuture<HttpResponse<byte[]>> complete(@Body byte[] body) {
        return pool.submit(() -> {
            CompleteRequest request = codec.readCompleteRequest(body);
            Timer.Sample sample = metrics.startTimer();
            CompleteResponse response = service.complete(request);
            metrics.completed(sample);
            return JsonResponses.ok(codec.write(response));
        });
    }

    @Post(uri = "/reserve/batch", consumes = MediaType.ALL)
    public CompletableFuture<HttpResponse<byte[]>> reserveBatch(@Body byte[] body) {
        return pool.submit(() -> {
            List<BatchItem<ReserveRequest>> items = codec.readReserveBatch(body, service.requestLimits().maxBatchItems());
            Timer.Sample sample = metrics.startTimer();
            List<ReserveResponse> results = service.reserveBatch(items);
            metrics.reservedBatch(sample, items, results);
            return JsonResponses.ok(codec.writeReserveResults(results));
        });
    }

    @Post(uri = "/complete/batch", consumes = MediaType.ALL)
    public CompletableFuture<HttpResponse<byte[]>> completeBatch(@Body byte[] body) {
        return pool.submit(() -> {
            List<BatchItem<CompleteRequest>> items = codec.readCompleteBatch(body, service.requestLimits().maxBatchItems());
            Timer.Sample sample = metrics.startTimer();
            List<CompleteResponse> results = service.completeBatch(items);
            metrics.completedBatch(sample, items, results);
            return JsonResponses.ok(codec.writeCompleteResults(results));
        });
    }
}
