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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Limiter} that talks to a {@code ratelimiterd} server over HTTP (SPEC 3), on pooled
 * blocking keep-alive connections ({@link HttpTransport}; by default the limiter's own HTTP/1.1
 * client). Requests are encoded and answers decoded with core's {@link WireCodec}.
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
 * call when the caller gives none. Every exchange, connecting included, is bounded by the request
 * timeout, cut to the time left. The limiter never releases a lease on its own (see
 * {@link OutcomeUnknownException}).
 *
 * <p>Threads: a synchronous call ({@link #reserve(ReserveRequest, long)} and the like) makes its
 * first attempt on the caller's thread, so a call that succeeds at once involves no other thread.
 * An asynchronous call makes its attempts on a worker thread of the limiter's own (one per call in
 * progress, created on demand, kept 30 s when idle); retries after a backoff go to a worker thread
 * too, never to the timer's thread. A future completes on the thread that made the deciding
 * attempt, after its connection went back to the pool: a continuation holds no connection and no
 * thread that other calls' I/O needs, so it may block or call the limiter again. The workers are
 * bounded by {@link HttpLimiterConfig#maxCallsInFlight()}, since each runs one attempt of one call.
 *
 * <p>Thread-safe: the transport and the codec are thread-safe; the calls in progress are a
 * concurrent set bounded by {@link HttpLimiterConfig#maxCallsInFlight()}, and each call's retry
 * state is confined to one attempt at a time (an attempt starts only after the previous one ended).
 */
public final class HttpLimiter implements Limiter {
    private static final Logger LOG = LoggerFactory.getLogger(HttpLimiter.class);
    private static final int BODY_SNIPPET_CHARS = 300;
    private static final long WORKER_KEEP_ALIVE_SECONDS = 30;
    private static final String RESERVE = "/v1/reserve";
    private static final String COMPLETE = "/v1/complete";
    private static final String RESERVE_BATCH = "/v1/reserve/batch";
    private static final String COMPLETE_BATCH = "/v1/complete/batch";

    private final HttpLimiterConfig config;
    private final HttpTransport transport;
    private final ThreadPoolExecutor workers;
    private final TaskTimer timer;
    private final SystemTaskTimer ownedTimer;
    private final Clock clock;
    private final LongUnaryOperator jitter;
    private final WireCodec codec = new WireCodec();
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
        this(config, new Http1Transport(config), timer, jitter);
    }

    /**
     * A limiter on another HTTP client (the benchmarks compare clients this way).
     *
     * @param transport sends the requests; owned by the limiter from now on, and closed with it
     */
    public HttpLimiter(HttpLimiterConfig config, HttpTransport transport, TaskTimer timer, LongUnaryOperator jitter) {
        this.config = config;
        this.transport = transport;
        this.ownedTimer = timer == null ? new SystemTaskTimer() : null;
        this.timer = timer == null ? ownedTimer : timer;
        this.clock = this.timer.clock();
        this.jitter = jitter;
        AtomicInteger threadNumber = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(
                0,
                Integer.MAX_VALUE,
                WORKER_KEEP_ALIVE_SECONDS,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "ratelimiter-http-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
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
        return reserveCall(request, deadlineMillis, false);
    }

    @Override
    public CompletableFuture<CompleteResponse> completeAsync(CompleteRequest request, long deadlineMillis) {
        return completeCall(request, deadlineMillis, false);
    }

    @Override
    public CompletableFuture<List<ReserveResponse>> reserveBatchAsync(
            List<ReserveRequest> requests, long deadlineMillis) {
        return reserveBatchCall(requests, deadlineMillis, false);
    }

    @Override
    public CompletableFuture<List<CompleteResponse>> completeBatchAsync(
            List<CompleteRequest> requests, long deadlineMillis) {
        return completeBatchCall(requests, deadlineMillis, false);
    }

    /** The same as the asynchronous form and waiting for it, but the first attempt runs on this thread. */
    @Override
    public ReserveResponse reserve(ReserveRequest request, long deadlineMillis) {
        return Limiter.await(reserveCall(request, deadlineMillis, true));
    }

    /** The same as the asynchronous form and waiting for it, but the first attempt runs on this thread. */
    @Override
    public CompleteResponse complete(CompleteRequest request, long deadlineMillis) {
        return Limiter.await(completeCall(request, deadlineMillis, true));
    }

    /** The same as the asynchronous form and waiting for it, but the first attempt runs on this thread. */
    @Override
    public List<ReserveResponse> reserveBatch(List<ReserveRequest> requests, long deadlineMillis) {
        return Limiter.await(reserveBatchCall(requests, deadlineMillis, true));
    }

    /** The same as the asynchronous form and waiting for it, but the first attempt runs on this thread. */
    @Override
    public List<CompleteResponse> completeBatch(List<CompleteRequest> requests, long deadlineMillis) {
        return Limiter.await(completeBatchCall(requests, deadlineMillis, true));
    }

    /**
     * Refuses new calls and fails every call still in progress with {@link OutcomeUnknownException}
     * (answers that arrive later are dropped), closes every connection and lets the worker threads
     * end. Closes the timer if the limiter made its own.
     */
    @Override
    public void close() {
        closed = true;
        for (Call<?> call : List.copyOf(calls)) {
            call.giveUp("the limiter was closed before a definitive answer arrived");
        }
        transport.close();
        workers.shutdown();
        if (ownedTimer != null) {
            ownedTimer.close();
        }
    }

    private CompletableFuture<ReserveResponse> reserveCall(
            ReserveRequest request, long deadlineMillis, boolean inline) {
        return call(
                "reserve of lease " + request.leaseId(),
                RESERVE,
                codec.write(request),
                deadlineMillis,
                codec::readReserveResponse,
                detail -> ReserveResponse.refused(Refusal.INVALID_REQUEST),
                inline);
    }

    private CompletableFuture<CompleteResponse> completeCall(
            CompleteRequest request, long deadlineMillis, boolean inline) {
        return call(
                "complete of lease " + request.leaseId(),
                COMPLETE,
                codec.write(request),
                deadlineMillis,
                codec::readCompleteResponse,
                detail -> CompleteResponse.failed(ErrorCodes.INVALID_REQUEST),
                inline);
    }

    private CompletableFuture<List<ReserveResponse>> reserveBatchCall(
            List<ReserveRequest> requests, long deadlineMillis, boolean inline) {
        Limiter.requireBatchSize(requests, config.maxBatchItems());
        int size = requests.size();
        return call(
                "batch of " + size + " reserves",
                RESERVE_BATCH,
                codec.writeReserveBatch(requests),
                deadlineMillis,
                body -> sized(codec.readReserveResults(body), size),
                detail -> Collections.nCopies(size, ReserveResponse.refused(Refusal.INVALID_REQUEST)),
                inline);
    }

    private CompletableFuture<List<CompleteResponse>> completeBatchCall(
            List<CompleteRequest> requests, long deadlineMillis, boolean inline) {
        Limiter.requireBatchSize(requests, config.maxBatchItems());
        int size = requests.size();
        return call(
                "batch of " + size + " completes",
                COMPLETE_BATCH,
                codec.writeCompleteBatch(requests),
                deadlineMillis,
                body -> sized(codec.readCompleteResults(body), size),
                detail -> Collections.nCopies(size, CompleteResponse.failed(ErrorCodes.INVALID_REQUEST)),
                inline);
    }

    /**
     * Starts a call: its first attempt runs on this thread when {@code inline}, else on a worker.
     * Returns its future, already completed when the first attempt on this thread decided it.
     */
    private <R> CompletableFuture<R> call(
            String what,
            String path,
            byte[] body,
            long deadlineMillis,
            Function<byte[], R> decode,
            Function<String, R> invalid,
            boolean inline) {
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
        Call<R> call = new Call<>(what, path, body, deadline, decode, invalid);
        calls.add(call);
        call.result.whenComplete((value, failure) -> {
            calls.remove(call);
            callsInFlight.decrementAndGet();
        });
        if (closed) {
            call.giveUp("the limiter was closed before the request was sent");
        } else if (inline) {
            call.attempt();
        } else {
            call.dispatch();
        }
        return call.result;
    }

    private static <T> List<T> sized(List<T> results, int expected) {
        if (results.size() != expected) {
            throw new IllegalStateException(
                    "the server answered " + results.size() + " results for " + expected + " requests");
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
     * end, through the timer and a worker), so {@code attempts} and {@code lastFailure} are only ever
     * touched by one thread at a time; they are volatile to publish them across those threads.
     */
    private final class Call<R> {
        final String what;
        final String path;
        final byte[] body;
        final long deadlineMillis;
        final Function<byte[], R> decode;
        final Function<String, R> invalid;
        final CompletableFuture<R> result = new CompletableFuture<>();
        volatile int attempts;
        volatile Throwable lastFailure;

        Call(
                String what,
                String path,
                byte[] body,
                long deadlineMillis,
                Function<byte[], R> decode,
                Function<String, R> invalid) {
            this.what = what;
            this.path = path;
            this.body = body;
            this.deadlineMillis = deadlineMillis;
            this.decode = decode;
            this.invalid = invalid;
        }

        /** Runs the next attempt on a worker thread: attempts block, so never on the caller's or the timer's. */
        void dispatch() {
            try {
                workers.execute(this::attempt);
            } catch (RejectedExecutionException e) {
                giveUp(
                        closed
                                ? "the limiter was closed before a definitive answer arrived"
                                : "no worker thread could be started: " + e.getMessage());
            }
        }

        /** One exchange on the current thread, blocking for at most the request timeout. */
        void attempt() {
            if (result.isDone()) {
                return;
            }
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
            HttpTransport.Response response;
            try {
                response = transport.post(path, body, Math.min(config.requestTimeoutMs(), remainingMs));
            } catch (IOException | RuntimeException e) {
                retryLater(e);
                return;
            }
            answered(response);
        }

        void answered(HttpTransport.Response response) {
            int status = response.status();
            if (status == 200) {
                R value;
                try {
                    value = decode.apply(response.body());
                } catch (RuntimeException e) {
                    retryLater(new LimiterException(
                            "unreadable HTTP 200 answer from POST " + path + ": " + e.getMessage(), e));
                    return;
                }
                result.complete(value);
            } else if (status == 400 || status == 413) {
                String detail = errorDetail(response.body());
                LOG.atWarn()
                        .log(() -> what + " was rejected as invalid by " + config.baseUri() + path + " (HTTP " + status
                                + "): " + detail);
                result.complete(invalid.apply(detail));
            } else if (status >= 500 || status == 408 || status == 429) {
                retryLater(new LimiterException(
                        "HTTP " + status + " from POST " + path + ": " + snippet(response.body())));
            } else {
                result.completeExceptionally(new LimiterException(what + ": unexpected HTTP " + status + " from POST "
                        + config.baseUri() + path + ": " + snippet(response.body())));
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
            LOG.atDebug().log(() -> what + ": attempt " + attempts + " has an unknown outcome (" + describe(failure)
                    + "); retrying in " + delayMs + " ms");
            try {
                timer.schedule(delayMs, this::dispatch);
            } catch (RejectedExecutionException e) {
                giveUp("the retry timer is closed");
            }
        }

        void giveUp(String why) {
            if (!result.isDone()) {
                result.completeExceptionally(new OutcomeUnknownException(
                        what + " to " + config.baseUri() + path
                                + ": outcome unknown after " + attempts + " attempt(s), " + why + "; last failure: "
                                + describe(lastFailure),
                        lastFailure));
            }
        }
    }
}
