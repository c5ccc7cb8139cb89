package dev.ratelimiter.chaos.process;

import dev.ratelimiter.chaos.process.ServerApi.Reply;
import dev.ratelimiter.chaos.workload.LimiterTarget;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.wire.InvalidRequestException;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A workload's limiter behind HTTP: {@code POST /v1/reserve} and {@code /v1/complete} through a
 * {@link ServerApi}. A 200 with a decodable body is an answer; anything else (another status, a body
 * that breaks the wire format, a transport error or timeout) is a failure with an unknown outcome.
 * A 400 fails as {@code invalid_request: ...}, which the workload counts as unexpected.
 *
 * <p>Every status and every kind of transport failure is counted. Thread-safe: concurrent maps of
 * adders, one entry per status or failure kind seen.
 */
public final class HttpTarget implements LimiterTarget {
    private final ServerApi api;
    private final ConcurrentHashMap<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> transportFailures = new ConcurrentHashMap<>();

    public HttpTarget(ServerApi api) {
        this.api = Objects.requireNonNull(api, "api");
    }

    @Override
    public ReserveResult reserve(ReserveRequest request) {
        Exchange exchange = exchange("/v1/reserve", api.codec().write(request));
        if (exchange.reply() == null) {
            return ReserveResult.failed(exchange.failure());
        }
        try {
            return ReserveResult.answered(
                    api.codec().readReserveResponse(exchange.reply().body()));
        } catch (InvalidRequestException e) {
            return ReserveResult.failed("undecodable reserve answer: " + e.detail());
        }
    }

    @Override
    public CompleteResult complete(CompleteRequest request) {
        Exchange exchange = exchange("/v1/complete", api.codec().write(request));
        if (exchange.reply() == null) {
            return CompleteResult.failed(exchange.failure());
        }
        try {
            return CompleteResult.answered(
                    api.codec().readCompleteResponse(exchange.reply().body()));
        } catch (InvalidRequestException e) {
            return CompleteResult.failed("undecodable complete answer: " + e.detail());
        }
    }

    /** How many answers had each HTTP status. */
    public Map<Integer, Long> statuses() {
        Map<Integer, Long> copy = new TreeMap<>();
        statuses.forEach((status, count) -> copy.put(status, count.sum()));
        return copy;
    }

    /** How many exchanges failed without a status, by exception class. */
    public Map<String, Long> transportFailures() {
        Map<String, Long> copy = new TreeMap<>();
        transportFailures.forEach((kind, count) -> copy.put(kind, count.sum()));
        return copy;
    }

    private record Exchange(Reply reply, String failure) {}

    private Exchange exchange(String path, byte[] body) {
        Reply reply;
        try {
            reply = api.send("POST", path, body);
        } catch (IOException e) {
            transportFailures
                    .computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder())
                    .increment();
            return new Exchange(null, "transport: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Exchange(null, "interrupted");
        }
        statuses.computeIfAbsent(reply.status(), k -> new LongAdder()).increment();
        if (reply.status() == 400) {
            return new Exchange(null, "invalid_request: " + reply.text());
        }
        if (reply.status() != 200) {
            return new Exchange(null, "status " + reply.status() + ": " + reply.text());
        }
        return new Exchange(reply, "");
    }
}
