package dev.ratelimiter.bench.loadtest;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.wire.WireCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Installs limits on a server through its admin API ({@code PUT /v1/admin/limits}), the way an
 * operator does, so that a load run needs nothing but the server's URL.
 *
 * <p>Thread-safe: the JDK client and the codec are.
 */
final class AdminClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client;
    private final WireCodec codec = new WireCodec();
    private final URI limitsUri;
    private final HttpAccess access;

    AdminClient(URI baseUri, HttpAccess access) {
        this.limitsUri = baseUri.resolve("/v1/admin/limits");
        this.access = access;
        this.client = access.clientBuilder().connectTimeout(TIMEOUT).build();
    }

    /**
     * Creates or replaces one limit.
     *
     * @throws IllegalStateException when the server answers anything but 200, with its answer
     * @throws UncheckedIOException when the server cannot be reached
     */
    void put(LimitDefinition definition) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(limitsUri)
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(codec.write(definition)));
        access.adminToken().ifPresent(token -> builder.header("Authorization", "Bearer " + token));
        HttpRequest request = builder.build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("PUT " + limitsUri + " of " + definition.key() + " answered "
                        + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "PUT " + limitsUri + " of " + definition.key() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while seeding " + definition.key(), e);
        }
    }
}
