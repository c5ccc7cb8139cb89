package dev.ratelimiter.server.http;

import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.wire.ErrorBody;
import dev.ratelimiter.core.wire.WireCodec;
import dev.ratelimiter.server.lifecycle.CallDispatcher;
import dev.ratelimiter.server.lifecycle.LimiterServiceFactory;
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
 * error body while it does not (SPEC 3). On a backend that may block (TigerBeetle) the check runs on
 * its own small probe pool, so it answers even while admission and admin calls are stuck on a slow
 * backend; on a backend that never blocks (memory) it runs on the event loop, by the same rule as
 * the admission calls with the smallest bodies, so that it stays the server's cheapest endpoint.
 */
@Controller("/healthz")
public final class HealthController {
    private static final byte[] OK = "ok".getBytes(StandardCharsets.UTF_8);

    private final LimiterService service;
    private final WireCodec codec;
    private final CallDispatcher calls;

    public HealthController(
            LimiterService service, WireCodec codec, @Named(LimiterServiceFactory.PROBE_POOL) CallDispatcher calls) {
        this.service = service;
        this.codec = codec;
        this.calls = calls;
    }

    @Get(produces = {MediaType.TEXT_PLAIN, MediaType.APPLICATION_JSON})
    public CompletableFuture<HttpResponse<byte[]>> health() {
        return calls.dispatch(
                0,
                () -> service.healthProblem()
                        .map(problem -> JsonResponses.of(
                                HttpStatus.SERVICE_UNAVAILABLE,
                                codec.write(new ErrorBody(ErrorCodes.BACKEND_ERROR, "backend: " + problem))))
                        .orElseGet(() -> HttpResponse.ok(OK).contentType(MediaType.TEXT_PLAIN_TYPE)));
    }
}
