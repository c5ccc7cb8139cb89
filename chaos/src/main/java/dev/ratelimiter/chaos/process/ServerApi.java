package dev.ratelimiter.chaos.process;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.wire.WireCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The server's HTTP API as the suites need it: raw exchanges that keep the status code (a suite
 * must see every 500), and typed helpers for health and the admin endpoints. Every exchange is
 * bounded by the connect and request timeouts; nothing here retries.
 *
 * <p>Thread-safe: the JDK {@link HttpClient} and the codec are.
 */
public final class ServerApi {
    private final URI baseUri;
    private final Duration requestTimeout;
    private final HttpClient client;
    private final WireCodec codec = new WireCodec();

    /** The answer to one exchange: its status and body. */
    public record Reply(int status, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public ServerApi(URI baseUri, Duration connectTimeout, Duration requestTimeout) {
        this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .build();
    }

    /** An API for the server on {@code localhost:port}. */
    public static ServerApi local(int port, Duration connectTimeout, Duration requestTimeout) {
        return new ServerApi(URI.create("http://127.0.0.1:" + port), connectTimeout, requestTimeout);
    }

    public URI baseUri() {
        return baseUri;
    }

    public WireCodec codec() {
        return codec;
    }

    /**
     * One exchange.
     *
     * @throws IOException on a transport error, including a timeout ({@link java.net.http.HttpTimeoutException})
     * @throws InterruptedException when interrupted while waiting
     */
    public Reply send(String method, String path, byte[] body) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher publisher =
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest request = HttpRequest.newBuilder(baseUri.resolve(path))
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .method(method, publisher)
                .build();
        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(response.statusCode(), response.body());
    }

    /** Whether {@code GET /healthz} answers 200 now; any failure is false. */
    public boolean isHealthy() {
        try {
            return send("GET", "/healthz", null).status() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code PUT /v1/admin/limits} with {@code definition}. */
    public Reply putLimit(LimitDefinition definition) throws IOException, InterruptedException {
        return send("PUT", "/v1/admin/limits", codec.write(definition));
    }

    /**
     * Every limit with its usage.
     *
     * @throws UncheckedIOException when the server does not answer 200 (for the usage sampler,
     *     which counts it as a failed reading)
     */
    public List<LimitInfo> limits() {
        try {
            Reply reply = send("GET", "/v1/admin/limits", null);
            if (reply.status() != 200) {
                throw new UncheckedIOException(
                        new IOException("GET /v1/admin/limits answered " + reply.status() + ": " + reply.text()));
            }
            return codec.readLimits(reply.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted", e));
        }
    }

    /** Defines every limit, failing on any answer but 200. */
    public void defineAll(List<LimitDefinition> definitions) throws IOException, InterruptedException {
        for (LimitDefinition definition : definitions) {
            Reply reply = putLimit(definition);
            if (reply.status() != 200) {
                throw new IOException(
                        "PUT of " + definition.key() + " answered " + reply.status() + ": " + reply.text());
            }
        }
    }
}
