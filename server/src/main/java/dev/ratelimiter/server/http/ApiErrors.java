package dev.ratelimiter.server.http;

import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.wire.ErrorBody;
import dev.ratelimiter.core.wire.InvalidRequestException;
import dev.ratelimiter.core.wire.WireCodec;
import dev.ratelimiter.server.config.LimiterSettings;
import dev.ratelimiter.server.lifecycle.WorkerPool.PoolSaturatedException;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import io.micronaut.web.router.exceptions.UnsatisfiedBodyRouteException;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers. Every error body is core's {@link ErrorBody}
 * ({@code {"error","detail"}}) encoded by the codec, with a code of SPEC 3:
 *
 * <ul>
 *   <li>{@link InvalidRequestException}: 400 {@code invalid_request} with the codec's or validator's detail;</li>
 *   <li>{@link BackendException} (an admin change that could not be saved or applied): 500 {@code backend_error};</li>
 *   <li>a full worker pool: 503 {@code backend_error}, so clients retry later;</li>
 *   <li>errors Micronaut raises itself: a missing body 400 {@code invalid_request} worded like the
 *       codec's empty-body error; unknown route 404 {@code not_found}; wrong method 405
 *       {@code invalid_request} with the {@code Allow} header Micronaut sets; body over the limit 413
 *       {@code invalid_request}; other 4xx {@code invalid_request}; anything else 500
 *       {@code backend_error} with a fixed detail (the cause goes to the log, never to the client).</li>
 * </ul>
 *
 * Stateless and thread-safe.
 */
@Singleton
public final class ApiErrors implements ErrorResponseProcessor<byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    private final WireCodec codec;
    private final long maxBodyBytes;

    public ApiErrors(WireCodec codec, LimiterSettings settings) {
        this.codec = codec;
        this.maxBodyBytes = settings.maxBodyBytes();
    }

    /** Formats the errors that Micronaut answers by itself (routing, body size, conversion, unexpected exceptions). */
    @Override
    public MutableHttpResponse<byte[]> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        HttpStatus status = response.status();
        HttpRequest<?> request = context.getRequest();
        String route = request.getMethodName() + " " + request.getPath();
        ErrorBody body;
        if (status == HttpStatus.NOT_FOUND) {
            body = new ErrorBody(ErrorCodes.NOT_FOUND, "path: no endpoint at " + route);
        } else if (status == HttpStatus.METHOD_NOT_ALLOWED) {
            String allowed = response.getHeaders().get(HttpHeaders.ALLOW);
            body = new ErrorBody(
                    ErrorCodes.INVALID_REQUEST,
                    "method: " + route + " is not allowed; allowed: " + (allowed == null ? "none" : allowed));
        } else if (context.getRootCause().orElse(null) instanceof UnsatisfiedBodyRouteException) {
            // Micronaut refuses a missing body before the codec sees it; say what the codec says.
            body = new ErrorBody(ErrorCodes.INVALID_REQUEST, "body: must be a JSON document, got an empty body");
        } else if (status == HttpStatus.REQUEST_ENTITY_TOO_LARGE) {
            body = new ErrorBody(ErrorCodes.INVALID_REQUEST, "body: must be at most " + maxBodyBytes + " bytes");
        } else if (status.getCode() >= 400 && status.getCode() < 500) {
            String detail = context.getErrors().isEmpty()
                    ? status.getReason()
                    : context.getErrors().get(0).getMessage();
            body = new ErrorBody(ErrorCodes.INVALID_REQUEST, "request: " + detail);
        } else {
            context.getRootCause().ifPresent(cause -> LOG.error("Unexpected failure answering {}", route, cause));
            body = new ErrorBody(
                    ErrorCodes.BACKEND_ERROR,
                    "internal error while answering " + route + "; the server log has the details");
        }
        return response.body(codec.write(body)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    MutableHttpResponse<byte[]> error(HttpStatus status, String code, String detail) {
        return JsonResponses.of(status, codec.write(new ErrorBody(code, detail)));
    }

    /** A payload that breaks a rule: 400 {@code invalid_request}. */
    @Singleton
    static final class InvalidRequestHandler
            implements ExceptionHandler<InvalidRequestException, HttpResponse<byte[]>> {
        private final ApiErrors errors;

        InvalidRequestHandler(ApiErrors errors) {
            this.errors = errors;
        }

        @Override
        @SuppressWarnings("rawtypes") // Micronaut's interface declares the raw type.
        public HttpResponse<byte[]> handle(HttpRequest request, InvalidRequestException exception) {
            return errors.error(HttpStatus.BAD_REQUEST, ErrorCodes.INVALID_REQUEST, exception.detail());
        }
    }

    /** The registry or backend failed an admin change: 500 {@code backend_error}. */
    @Singleton
    static final class BackendFailureHandler implements ExceptionHandler<BackendException, HttpResponse<byte[]>> {
        private final ApiErrors errors;

        BackendFailureHandler(ApiErrors errors) {
            this.errors = errors;
        }

        @Override
        @SuppressWarnings("rawtypes") // Micronaut's interface declares the raw type.
        public HttpResponse<byte[]> handle(HttpRequest request, BackendException exception) {
            LOG.warn("{} {} failed: {}", request.getMethodName(), request.getPath(), exception.getMessage());
            return errors.error(HttpStatus.INTERNAL_SERVER_ERROR, ErrorCodes.BACKEND_ERROR, exception.getMessage());
        }
    }

    /** Every thread of a pool is busy and its queue is full: 503 {@code backend_error}, retry later. */
    @Singleton
    static final class PoolSaturatedHandler implements ExceptionHandler<PoolSaturatedException, HttpResponse<byte[]>> {
        private final ApiErrors errors;

        PoolSaturatedHandler(ApiErrors errors) {
            this.errors = errors;
        }

        @Override
        @SuppressWarnings("rawtypes") // Micronaut's interface declares the raw type.
        public HttpResponse<byte[]> handle(HttpRequest request, PoolSaturatedException exception) {
            return errors.error(HttpStatus.SERVICE_UNAVAILABLE, ErrorCodes.BACKEND_ERROR, exception.getMessage());
        }
    }
}
