package dev.ratelimiter.bench.loadtest;

import dev.ratelimiter.client.http.HttpLimiterConfig;
import dev.ratelimiter.client.http.HttpTransport;
import java.io.IOException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * Apache HttpClient 5 classic (blocking, pooled keep-alive connections) as the HTTP limiter's
 * transport: the well-kept library alternative to the limiter's own HTTP/1.1 client, measured beside
 * it by {@link TransportComparison}. Its own retries and redirects are off: the limiter retries.
 *
 * <p>Thread-safe: the client and its pooling connection manager are.
 */
final class ApacheHttpTransport implements HttpTransport {
    private final CloseableHttpClient client;
    private final String base;
    private final String authorization;

    ApacheHttpTransport(HttpLimiterConfig config) {
        PoolingHttpClientConnectionManagerBuilder pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(config.maxCallsInFlight())
                .setMaxConnPerRoute(config.maxCallsInFlight())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.ofMilliseconds(config.connectTimeoutMs()))
                        .build());
        config.sslContext().ifPresent(context -> pool.setTlsSocketStrategy(new DefaultClientTlsStrategy(context)));
        PoolingHttpClientConnectionManager manager = pool.build();
        this.client = HttpClients.custom()
                .setConnectionManager(manager)
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .build();
        String text = config.baseUri().toString();
        this.base = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        this.authorization = config.apiToken().map(token -> "Bearer " + token).orElse(null);
    }

    @Override
    public Response post(String path, byte[] body, long timeoutMs) throws IOException {
        HttpPost post = new HttpPost(base + path);
        post.setConfig(RequestConfig.custom()
                .setResponseTimeout(Timeout.ofMilliseconds(timeoutMs))
                .setConnectionRequestTimeout(Timeout.ofMilliseconds(timeoutMs))
                .build());
        post.setHeader("Accept", "application/json");
        if (authorization != null) {
            post.setHeader("Authorization", authorization);
        }
        post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        return client.execute(
                post,
                response -> new Response(
                        response.getCode(),
                        response.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(response.getEntity())));
    }

    @Override
    public void close() {
        client.close(CloseMode.IMMEDIATE);
    }
}
