package dev.ratelimiter.server;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.PutLimitResponse;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.wire.ErrorBody;
import dev.ratelimiter.core.wire.WireCodec;
import dev.ratelimiter.server.openapi.OpenApiContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A test client for one running server: raw HTTP through the JDK client (so tests can send any
 * bytes, headers and methods) plus decoding through core's codec. Every answer is checked against
 * openapi.yml by the {@link OpenApiContract} before the test sees it, so every server test that
 * uses this client also keeps the document true. Thread-safe like the JDK client.
 */
public final class Api {
    public static final String JSON = "application/json";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    /** Sent as {@code Authorization: Bearer} on every request when not null. */
    private final String bearerToken;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final WireCodec codec = new WireCodec();
    private final OpenApiContract contract = OpenApiContract.shared();

    public Api(URI base) {
        this(base, null);
    }

    /** A client that sends {@code bearerToken} (null for none) with every request. */
    public Api(URI base, String bearerToken) {
        this.base = base;
        this.bearerToken = bearerToken;
    }

    public WireCodec codec() {
        return codec;
    }

    public HttpResponse<String> post(String path, String body) {
        return send("POST", path, body, JSON);
    }

    public HttpResponse<String> put(String path, String body) {
        return send("PUT", path, body, JSON);
    }

    public HttpResponse<String> get(String path) {
        return send("GET", path, null, null);
    }

    /** Sends {@code body} (null for none) with {@code contentType} (null for no header). */
    public HttpResponse<String> send(String method, String path, String body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(TIMEOUT)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        try {
            HttpResponse<String> response =
                    http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            contract.check(new OpenApiContract.Exchange(
                    method,
                    response.uri().getRawPath(),
                    response.statusCode(),
                    response.headers().map(),
                    response.body().getBytes(StandardCharsets.UTF_8)));
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public ReserveResponse reserve(String leaseId, String key, long amount) {
        HttpResponse<String> response = post(
                "/v1/reserve",
                "{\"lease_id\":\"" + leaseId + "\",\"requirements\":[{\"key\":\"" + key + "\",\"amount\":" + amount
                        + "}]}");
        return codec.readReserveResponse(ok(response));
    }

    public void complete(String leaseId, String key, long actualAmount) {
        HttpResponse<String> response = post(
                "/v1/complete",
                "{\"lease_id\":\"" + leaseId + "\",\"actuals\":[{\"key\":\"" + key + "\",\"actual_amount\":"
                        + actualAmount + "}]}");
        if (!codec.readCompleteResponse(ok(response)).ok()) {
            throw new AssertionError("complete failed: " + response.body());
        }
    }

    public PutLimitResponse putLimit(LimitDefinition definition) {
        return codec.readPutLimitResponse(
                ok(put("/v1/admin/limits", new String(codec.write(definition), StandardCharsets.UTF_8))));
    }

    public LimitInfo limit(String key) {
        return codec.readLimit(ok(get("/v1/admin/limits/" + key)));
    }

    /** The body of a 200 answer; anything else fails the test with the status and body. */
    public static byte[] ok(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError("expected 200, got " + response.statusCode() + ": " + response.body());
        }
        return response.body().getBytes(StandardCharsets.UTF_8);
    }

    public ErrorBody error(HttpResponse<String> response) {
        return codec.readError(response.body().getBytes(StandardCharsets.UTF_8));
    }

    /** Polls {@code condition} every 20 ms until it holds or {@code deadline} passes. */
    public static void awaitTrue(String what, Duration deadline, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + deadline.toMillis() + " ms waiting until " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what, e);
            }
        }
    }
}
