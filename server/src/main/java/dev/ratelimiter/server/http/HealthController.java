package dev.ratelimiter.server.http;

import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.wire.ErrorBody;
import dev.ratelimiter.core.wire.WireCodec;
import dev.ratelimiter.server.lifecycle.LimiterServiceFactory;
import dev.ratelimiter.server.lifecycle.WorkerPool;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import jakarta.inject.Named;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /healthz}: 200 with the text {@code ok} while the backend answers, 503 with a JSON
 * error body while it does not (SPEC 3). Runs on its own small pool, so it answers even while
 * admission and admin calls are stuck on a slow backend.
 */
@Controller("/healthz")
public final class HealthController {
    private static final byte[] OK = "ok".getBytes(StandardCharsets.UTF_8);

    private final LimiterService service;
    private final WireCodec codec;
    private final WorkerPool pool;

    public HealthController(LimiterService service, WireCodec codec,
            @Named(LimiterServiceFactory.PROBE_POOL) WorkerPool pool) {
        this.service = service;
        this.codec = codec;
        this.pool = pool;
    }

    @Get(produces = {MediaType.TEXT_PLAIN, MediaType.APPLICATION_JSON})
    public CompletableFuture<HttpResponse<byte[]>> health() {
        return pool.submit(() -> service.isHealthy()
                ? HttpResponse.ok(OK).contentType(MediaType.TEXT_PLAIN_TYPE)
                : JsonResponses.of(HttpStatus.SERVICE_UNAVAILABLE, codec.write(
                        new ErrorBody(ErrorCodes.BACKEND_ERROR, "backend: does not answer"))));
    }
}
