package dev.ratelimiter.client.http;

import dev.ratelimiter.client.DeadlineExceededException;
import dev.ratelimiter.client.Limiter;
import dev.ratelimiter.client.LimiterClosedException;
import dev.ratelimiter.client.LimiterException;
import dev.ratelimiter.client.LimiterOverloadedException;
import dev.ratelimiter.client.OutcomeUnknownException;
import dev.ratelimiter.client.timing.Backoff;
import dev.ratelimiter.client.timing.SystemTaskTimer;
import dev.ratelimiter.client.timing.TaskTimer;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.core.wire.WireCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link Limiter} that talks to a {@code ratelimiterd} server over HTTP (SPEC 3), on the JDK
 * {@link HttpClient}. Requests are encoded and answers decoded with core's {@link WireCodec}.
 *
 * <p>How answers map to results:
 * <ul>
 *   <li>200: the decoded answer, whatever it says (a denial, {@code backend_error} and every other
 *       error code are values for the caller to judge);</li>
 *   <li>400 and 413: {@code invalid_request} for the request (for a batch, for each item), logged
 *       with the server's detail; definitive, never retried;</li>
 *   <li>5xx, 408, 429, a transport error, a timeout or an unreadable 200 body: an unknown outcome.
 *       The same request (so the same lease id) is sent again after a bounded exponential backoff
 *       until a definitive answer arrives or the deadline passes; then the future fails with
 *       {@link OutcomeUnknownException}. Repeating is safe: a reserve repeat is idempotent and a
 *       complete may always be repeated;</li>
 *   <li>any other status (404 from a wrong base URL, for instance): {@link LimiterException}, at
 *       once; nothing was held.</li>
 * </ul>
 * The deadline is the caller's, or {@link HttpLimiterConfig#callBudgetMs()} from the start of the
 * call when the caller gives none. Every exchange is bounded by the request timeout, cut to the
 * time left. The limiter never releases a lease on its own (see {@link OutcomeUnknownException}).
 *
 * <p>Thread-safe: the HTTP client and the codec are thread-safe; the calls in progress are a
 * concurrent set bounded by {@link HttpLimiterConfig#maxCallsInFlight()}, and each call's retry
 * state is confined to one attempt at a time (an attempt starts only after the previous one ended).
 */
public final class HttpLimiter implements Limiter {
    private static final Logger LOG = Logger.getLogger(HttpLimiter.class.getName());
    private static final int BODY_SNIPPET_CHARS = 300;

    private final HttpLimiterConfig config;
    private final HttpClient http;
    private final TaskTimer timer;
    private final SystemTaskTimer ownedTimer;
    private final Clock clock;
    private final LongUnaryOperator jitter;
    private final WireCodec codec = new WireCodec();
    private final URI reserveUri;
    private final URI completeUri;
    private final URI reserveBatchUri;
    private final URI completeBatchUri;
    /** The {@code Authorization} header of every call, when the config has an api token. */
    private final Optional<String> authorization;
    private final Set<Call<?>> calls = ConcurrentHashMap.newKeySet();
    private final AtomicInteger callsInFlight = new AtomicInteger();
    private volatile boolean closed;

    /** A limiter on the system clock, with its own timer thread for retry delays. */
    public HttpLimiter(HttpLimiterConfig config) {
        this(config, null, Backoff.randomJitter());
    }

    /**
     * @param timer runs retry delays and defines the clock of deadlines; {@code null} for a timer of
     *     the limiter's own, closed with it
     * @param jitter given a bound {@code b}, a value in {@code [0, b]} added to each retry delay
     */
    public HttpLimiter(HttpLimiterConfig config, TaskTimer timer, LongUnaryOperator jitter) {
        this.config = config;
        this.ownedTimer = timer == null ? new SystemTaskTimer() : null;
        this.timer = timer == null ? ownedTimer : timer;
        this.clock = this.timer.clock();
        this.jitter = jitter;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(config.connectTimeoutMs()))
                .followRedirects(HttpClient.Redirect.NEVER);
        config.sslContext().ifPresent(builder::sslContext);
        this.http = builder.build();
        this.authorization = config.apiToken().map(token -> "Bearer " + token);
        this.reserveUri = endpoint("/v1/reserve");
        this.completeUri = endpoint("/v1/complete");
        this.reserveBatchUri = endpoint("/v1/reserve/batch");
        this.completeBatchUri = endpoint("/v1/complete/batch");
    }

    public HttpLimiterConfig config() {
        return config;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public CompletableFuture<ReserveResponse> reserveAsync(ReserveRequest request, long deadlineMillis) {
        return call("reserve of lease " + request.leaseId(), reserveUri, codec.write(request), deadlineMillis,
                codec::readReserveResponse, detail -> ReserveResponse.refused(Refusal.INVALID_REQUEST));
    }

    @Override
    public CompletableFuture<CompleteResponse> completeAsync(CompleteRequest request, long deadlineMillis) {
        return call("complete of lease " + request.leaseId(), completeUri, codec.write(request), deadlineMillis,
                codec::readCompleteResponse, detail -> CompleteResponse.failed(ErrorCodes.INVALID_REQUEST));
    }

    @Override
    public CompletableFuture<List<ReserveResponse>> reserveBatchAsync(List<ReserveRequest> requests,
            long deadlineMillis) {
        Limiter.requireBatchSize(requests, config.maxBatchItems());
        int size = requests.size();
        return call("batch of " + size + " reserves", reserveBatchUri, codec.writeReserveBatch(requests),
                deadlineMillis, body -> sized(codec.readReserveResults(body), size),
                detail -> Collections.nCopies(size, ReserveResponse.refused(Refusal.INVALID_REQUEST)));
    }

    @Override
    public CompletableFuture<List<CompleteResponse>> completeBatchAsync(List<CompleteRequest> requests,
            long deadlineMillis) {
        Limiter.requireBatchSize(requests, config.maxBatchItems());
        int size = requests.size();
        return call("batch of " + size + " completes", completeBatchUri, codec.writeCompleteBatch(requests),
                deadlineMillis, body -> sized(codec.readCompleteResults(body), size),
                detail -> Collections.nCopies(size, CompleteResponse.failed(ErrorCodes.INVALID_REQUEST)));
    }

    /**
     * Refuses new calls and fails every call still in progress with {@link OutcomeUnknownException}
     * (answers that arrive later are dropped). Closes the timer if the limiter made its own.
     */
    @Override
    public void close() {
        closed = true;
        for (Call<?> call : List.copyOf(calls)) {
            call.giveUp("the limiter was closed before a definitive answer arrived");
        }
        if (ownedTimer != null) {
            ownedTimer.close();
        }
    }

    private <R> CompletableFuture<R> call(String what, URI uri, byte[] body, long deadlineMillis,
            Function<byte[], R> decode, Function<String, R> invalid) {
        if (closed) {
            return CompletableFuture.failedFuture(new LimiterClosedException(
                    what + " refused: the HTTP limiter for " + config.baseUri() + " is closed"));
        }
        long now = clock.nowMillis();
        if (deadlineMillis <= now) {
            return CompletableFuture.failedFuture(new DeadlineExceededException(
                    what + " not sent: its deadline passed " + (now - deadlineMillis) + " ms before the call"));
        }
        if (callsInFlight.incrementAndGet() > config.maxCallsInFlight()) {
            callsInFlight.decrementAndGet();
            return CompletableFuture.failedFuture(new LimiterOverloadedException(what + " refused: "
                    + config.maxCallsInFlight() + " calls to " + config.baseUri() + " are already in progress"));
        }
        long deadline = deadlineMillis == NO_DEADLINE ? saturatingAdd(now, config.callBudgetMs()) : deadlineMillis;
        Call<R> call = new Call<>(what, uri, body, deadline, decode, invalid);
        calls.add(call);
        call.result.whenComplete((value, failure) -> {
            calls.remove(call);
            callsInFlight.decrementAndGet();
        });
        if (closed) {
            call.giveUp("the limiter was closed before the request was sent");
        } else {
            call.attempt();
        }
        return call.result;
    }

    private URI endpoint(String path) {
        String base = config.baseUri().toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }

    private static <T> List<T> sized(List<T> results, int expected) {
        if (results.size() != expected) {
            throw new IllegalStateException("the server answered " + results.size() + " results for "
                    + expected + " requests");
        }
        return results;
    }

    private String errorDetail(byte[] body) {
        try {
            return codec.readError(body).detail();
        } catch (RuntimeException e) {
            // An error body we cannot decode still says something useful: show it as text.
            return snippet(body);
        }
    }

    private static String snippet(byte[] body) {
        if (body == null || body.length == 0) {
            return "(empty body)";
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() <= BODY_SNIPPET_CHARS ? text : text.substring(0, BODY_SNIPPET_CHARS) + "...";
    }

    private static long saturatingAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static String describe(Throwable failure) {
        if (failure == null) {
            return "none";
        }
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /**
     * One call with its retries. Attempts follow each other (the next starts from the previous one's
     * answer or from a timer task), so {@code attempts} and {@code lastFailure} are only ever touched
     * by one thread at a time; they are volatile to publish them across those threads.
     */
    private final class Call<R> {
        final String what;
        final URI uri;
        final byte[] body;
        final long deadlineMillis;
        final Function<byte[], R> decode;
        final Function<String, R> invalid;
        final CompletableFuture<R> result = new CompletableFuture<>();
        volatile int attempts;
        volatile Throwable lastFailure;

        Call(String what, URI uri, byte[] body, long deadlineMillis, Function<byte[], R> decode,
                Function<String, R> invalid) {
            this.what = what;
            this.uri = uri;
            this.body = body;
            this.deadlineMillis = deadlineMillis;
            this.decode = decode;
            this.invalid = invalid;
        }

        void attempt() {
            if (closed) {
                giveUp("the limiter was closed before a definitive answer arrived");
                return;
            }
            long remainingMs = deadlineMillis - clock.nowMillis();
            if (remainingMs <= 0) {
                giveUp("the deadline passed");
                return;
            }
            attempts++;
            long attemptTimeoutMs = Math.min(config.requestTimeoutMs(), remainingMs);
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofMillis(attemptTimeoutMs))
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            authorization.ifPresent(value -> builder.header("Authorization", value));
            HttpRequest request = builder.build();
            try {
                // The request timeout does not cover connecting, and the client-wide connect
                // timeout is not cut to this call's deadline: bound the whole attempt as well, so
                // a server that is down never holds a call past its deadline.
                http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                        .orTimeout(attemptTimeoutMs, TimeUnit.MILLISECONDS)
                        .whenComplete(this::answered);
            } catch (RuntimeException e) {
                retryLater(e);
            }
        }

        void answered(HttpResponse<byte[]> response, Throwable error) {
            if (error != null) {
                retryLater(Limiter.unwrap(error));
                return;
            }
            int status = response.statusCode();
            if (status == 200) {
                R value;
                try {
                    value = decode.apply(response.body());
                } catch (RuntimeException e) {
                    retryLater(new LimiterException("unreadable HTTP 200 answer from POST " + uri + ": "
                            + e.getMessage(), e));
                    return;
                }
                result.complete(value);
            } else if (status == 400 || status == 413) {
                String detail = errorDetail(response.body());
                LOG.warning(() -> what + " was rejected as invalid by " + uri + " (HTTP " + status + "): " + detail);
                result.complete(invalid.apply(detail));
            } else if (status >= 500 || status == 408 || status == 429) {
                retryLater(new LimiterException("HTTP " + status + " from POST " + uri + ": "
                        + snippet(response.body())));
            } else {
                result.completeExceptionally(new LimiterException(what + ": unexpected HTTP " + status
                        + " from POST " + uri + ": " + snippet(response.body())));
            }
        }

        void retryLater(Throwable failure) {
            lastFailure = failure;
            long delayMs = config.retryBackoff().delayMs(attempts - 1, jitter);
            if (closed) {
                giveUp("the limiter was closed before a definitive answer arrived");
                return;
            }
            if (delayMs >= deadlineMillis - clock.nowMillis()) {
                giveUp("the deadline leaves no time for another attempt");
                return;
            }
            LOG.log(Level.FINE, () -> what + ": attempt " + attempts + " has an unknown outcome ("
                    + describe(failure) + "); retrying in " + delayMs + " ms");
            try {
                timer.schedule(delayMs, this::attempt);
            } catch (RejectedExecutionException e) {
                giveUp("the retry timer is closed");
            }
        }

        void giveUp(String why) {
            if (!result.isDone()) {
                result.completeExceptionally(new OutcomeUnknownException(what + " to " + uri + ": outcome unknown after "
                        + attempts + " attempt(s), " + why + "; last failure: " + describe(lastFailure), lastFailure));
            }
        }
    }
}
