package dev.ratelimiter.bench.loadtest;

import dev.ratelimiter.client.http.HttpLimiterConfig;
import dev.ratelimiter.client.http.HttpTransport;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The HTTP limiter's transport as it shipped before issue 14: the JDK's {@link HttpClient} (HTTP/1.1,
 * its own connection pool, a selector thread and an executor behind every exchange), here called
 * blocking from the limiter's thread. Kept in the benchmarks only, to measure the transports side by
 * side ({@link TransportComparison}).
 *
 * <p>Thread-safe: the JDK client is.
 */
final class JdkHttpTransport implements HttpTransport {
    private final HttpClient client;
    private final String base;
    private final String authorization;

    JdkHttpTransport(HttpLimiterConfig config) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(config.connectTimeoutMs()))
                .followRedirects(HttpClient.Redirect.NEVER);
        config.sslContext().ifPresent(builder::sslContext);
        this.client = builder.build();
        String text = config.baseUri().toString();
        this.base = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        this.authorization = config.apiToken().map(token -> "Bearer " + token).orElse(null);
    }

    @Override
    public Response post(String path, byte[] body, long timeoutMs) throws IOException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofMillis(timeoutMs))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        try {
            HttpResponse<byte[]> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(response.statusCode(), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for POST " + path);
        }
    }

    @Override
    public void close() {
        // The JDK 17 client has no close(); its selector thread ends once the client is unreachable.
    }
}
