package dev.ratelimiter.stepdefs.api;

import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.server.openapi.OpenApiContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;

/**
 * Sends requests to one limiter over HTTP and returns every answer whole, timed.
 *
 * <p>It sends the tokens of its {@link Credentials} on the paths they open; {@link #withCredentials}
 * gives the same connections with other tokens.
 *
 * <p>Every answer is checked against the server's openapi.yml ({@link OpenApiContract}) before a
 * step sees it: an answer that breaks the document fails the scenario, so a BDD run keeps the
 * document true as the server's own tests do.
 *
 * <p>Thread-safe: the JDK client is, and this class holds no mutable state. One instance serves a
 * whole target run. Every request has a timeout, so a server that stops answering fails the
 * scenario with a clear message instead of hanging the build.
 */
public final class LimiterHttp {
    /** Generous next to the scenarios' 200 ms expectations; it only bounds a hung server. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient client;
    private final URI baseUri;
    private final Clock clock;
    private final Credentials credentials;

    /** A client for a plain-http server without tokens. */
    public LimiterHttp(URI baseUri) {
        this(baseUri, Credentials.NONE, Optional.empty());
    }

    /**
     * @param credentials the tokens to send, each on the paths it opens
     * @param sslContext whom to trust on https; empty: the JVM's default trust
     */
    public LimiterHttp(URI baseUri, Credentials credentials, Optional<SSLContext> sslContext) {
        this.baseUri = withoutTrailingSlash(baseUri);
        this.clock = Clock.system();
        this.credentials = credentials;
        HttpClient.Builder builder =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT);
        sslContext.ifPresent(builder::sslContext);
        this.client = builder.build();
    }

    private LimiterHttp(LimiterHttp other, Credentials credentials) {
        this.baseUri = other.baseUri;
        this.clock = other.clock;
        this.client = other.client;
        this.credentials = credentials;
    }

    public URI baseUri() {
        return baseUri;
    }

    public Credentials credentials() {
        return credentials;
    }

    /** The same server and connections, sending {@code other} tokens: how a scenario plays an outsider. */
    public LimiterHttp withCredentials(Credentials other) {
        return new LimiterHttp(this, other);
    }

    public Answer get(String path) {
        return send("GET", path, null);
    }

    public Answer post(String path, byte[] body) {
        return send("POST", path, body);
    }

    public Answer put(String path, byte[] body) {
        return send("PUT", path, body);
    }

    /**
     * Sends one request to {@code path} below the base URI (a base path such as
     * {@code http://host/limiter} is kept) and waits for its answer, at most {@link #REQUEST_TIMEOUT}.
     *
     * @param body the raw body, sent as JSON; null for none
     * @throws AssertionError when the server cannot be reached or does not answer in time, which
     *     is a failure of the scenario, not of the harness
     */
    public Answer send(String method, String path, byte[] body) {
        HttpRequest.BodyPublisher publisher =
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUri + path))
                .timeout(REQUEST_TIMEOUT)
                .method(method, publisher);
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        credentials.tokenFor(path).ifPresent(token -> builder.header("Authorization", "Bearer " + token));
        HttpRequest request = builder.build();
        long sentAtUnixMs = clock.nowMillis();
        long startNanos = System.nanoTime();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError(
                    "the limiter at " + baseUri + " did not answer " + method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while waiting for " + method + " " + path, e));
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        Answer answer = new Answer(
                method,
                path,
                response.statusCode(),
                lowerCaseNames(response.headers().map()),
                response.body(),
                startNanos,
                sentAtUnixMs,
                clock.nowMillis(),
                elapsed);
        OpenApiContract.shared()
                .check(new OpenApiContract.Exchange(
                        method,
                        URI.create("http://target" + path).getRawPath(),
                        answer.status(),
                        answer.headers(),
                        answer.body()));
        return answer;
    }

    private static Map<String, List<String>> lowerCaseNames(Map<String, List<String>> headers) {
        Map<String, List<String>> lower = new TreeMap<>();
        headers.forEach((name, values) -> lower.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        return lower;
    }

    private static URI withoutTrailingSlash(URI uri) {
        String text = uri.toString();
        return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : uri;
    }
}
