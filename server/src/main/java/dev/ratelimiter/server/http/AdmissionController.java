package dev.ratelimiter.server.http;

import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.wire.BatchItem;
import dev.ratelimiter.core.wire.WireCodec;
import dev.ratelimiter.server.lifecycle.CallDispatcher;
import dev.ratelimiter.server.lifecycle.LimiterServiceFactory;
import dev.ratelimiter.server.metrics.AdmissionMetrics;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import jakarta.inject.Named;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reserve and complete, single and batched (SPEC 3).
 *
 * <p>Which thread runs a call is the {@link CallDispatcher}'s choice, made from the backend and the
 * body's size: on the memory backend a call whose body is small (every single reserve and complete,
 * and small batches) is decoded, admitted and encoded on the Netty event loop that read it, because a
 * hand-off to a pool would cost more than the work; a larger body, and every call on a backend that
 * may block (TigerBeetle), runs on the bounded admission pool, body decoding included, so that
 * neither a 1 MiB batch nor a slow backend ever occupies the event loop. A full pool answers 503.
 * Calls use the service's async forms: with the memory backend's journal on, a call is decided on
 * the event loop and its answer is written once its record is durable, from the journal's writer
 * thread, without the event loop waiting for the fsync.
 * Stateless apart from its collaborators, which are thread-safe.
 */
@Controller("/v1")
@Produces(MediaType.APPLICATION_JSON)
public final class AdmissionController {
    private final LimiterService service;
    private final WireCodec codec;
    private final AdmissionMetrics metrics;
    private final CallDispatcher calls;

    public AdmissionController(
            LimiterService service,
            WireCodec codec,
            AdmissionMetrics metrics,
            @Named(LimiterServiceFactory.ADMISSION_POOL) CallDispatcher calls) {
        this.service = service;
        this.codec = codec;
        this.metrics = metrics;
        this.calls = calls;
    }

    @Post(uri = "/reserve", consumes = MediaType.ALL)
    public CompletableFuture<HttpResponse<byte[]>> reserve(@Body byte[] body) {
        return calls.dispatchAsync(
                body.length,
                () -> {
                    ReserveRequest request = codec.readReserveRequest(body);
                    long started = metrics.startTimer();
                    return service.reserveAsync(request)
                            .thenApply(response -> new Decided<>(request, started, response));
                },
                decided -> {
                    metrics.reserved(decided.startNanos(), decided.request(), decided.response());
                    return JsonResponses.ok(codec.write(decided.response()));
                });
    }

    @Post(uri = "/complete", consumes = MediaType.ALL)
    public CompletableFuture<HttpResponse<byte[]>> complete(@Body byte[] body) {
        return calls.dispatchAsync(
                body.length,
                () -> {
                    CompleteRequest request = codec.readCompleteRequest(body);
                    long started = metrics.startTimer();
                    return service.completeAsync(request)
                            .thenApply(response -> new Decided<>(request, started, response));
                },
                decided -> {
                    metrics.completed(decided.startNanos());
                    return JsonResponses.ok(codec.write(decided.response()));
                });
    }

    @Post(uri = "/reserve/batch", consumes = MediaType.ALL)
    public CompletableFuture<HttpResponse<byte[]>> reserveBatch(@Body byte[] body) {
        return calls.dispatchAsync(
                body.length,
                () -> {
                    List<BatchItem<ReserveRequest>> items =
                            codec.readReserveBatch(body, service.requestLimits().maxBatchItems());
                    long started = metrics.startTimer();
                    return service.reserveBatchAsync(items)
                            .thenApply(results -> new Decided<>(items, started, results));
                },
                decided -> {
                    metrics.reservedBatch(decided.startNanos(), decided.request(), decided.response());
                    return JsonResponses.ok(codec.writeReserveResults(decided.response()));
                });
    }

    @Post(uri = "/complete/batch", consumes = MediaType.ALL)
    public CompletableFuture<HttpResponse<byte[]>> completeBatch(@Body byte[] body) {
        return calls.dispatchAsync(
                body.length,
                () -> {
                    List<BatchItem<CompleteRequest>> items = codec.readCompleteBatch(
                            body, service.requestLimits().maxBatchItems());
                    long started = metrics.startTimer();
                    return service.completeBatchAsync(items)
                            .thenApply(results -> new Decided<>(items, started, results));
                },
                decided -> {
                    metrics.completedBatch(decided.startNanos(), decided.request(), decided.response());
                    return JsonResponses.ok(codec.writeCompleteResults(decided.response()));
                });
    }

    /** A decided call: its request, its timer, and the limiter's answer, carried to where the response is written. */
    private record Decided<Q, R>(Q request, long startNanos, R response) {}
}
