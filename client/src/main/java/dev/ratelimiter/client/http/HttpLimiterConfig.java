package dev.ratelimiter.client.http;

import dev.ratelimiter.client.timing.Backoff;
import dev.ratelimiter.core.settings.Bounds;
import dev.ratelimiter.core.wire.RequestLimits;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How an {@link HttpLimiter} talks to its server. Immutable.
 *
 * @param baseUri the server, for example {@code http://localhost:8080}; the API paths are resolved
 *     against it
 * @param connectTimeoutMs bound on opening a connection (default 2000)
 * @param requestTimeoutMs bound on one HTTP exchange, further cut to the caller's deadline (default
 *     5000)
 * @param callBudgetMs bound on a whole call, retries included, when the caller gives no deadline
 *     (default 30000)
 * @param retryBackoff delays between attempts after an unknown outcome (default {@link Backoff#DEFAULT})
 * @param maxBatchItems most requests in one batch call; must not exceed the server's limit (default 256)
 * @param maxCallsInFlight most calls in progress at once; further calls fail at once with
 *     {@link dev.ratelimiter.client.LimiterOverloadedException} (default 1024)
 * @param apiToken sent as {@code Authorization: Bearer <token>} on every call, for a server whose
 *     {@code ratelimiter.api.token} is set (default none); never logged, and {@link #toString()} hides it
 * @param sslContext for an https {@code baseUri}: whom to trust; empty uses the JVM's default, which
 *     follows the {@code javax.net.ssl.trustStore} system properties (default empty); see
 *     {@link TrustStores#sslContext}
 */
public record HttpLimiterConfig(
        URI baseUri,
        long connectTimeoutMs,
        long requestTimeoutMs,
        long callBudgetMs,
        Backoff retryBackoff,
        int maxBatchItems,
        int maxCallsInFlight,
        Optional<String> apiToken,
        Optional<SSLContext> sslContext) {

    public HttpLimiterConfig {
        Objects.requireNonNull(baseUri, "baseUri");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        Objects.requireNonNull(apiToken, "apiToken");
        Objects.requireNonNull(sslContext, "sslContext");
        apiToken = apiToken.map(String::strip).filter(token -> !token.isEmpty());
        if (!"http".equalsIgnoreCase(baseUri.getScheme()) && !"https".equalsIgnoreCase(baseUri.getScheme())) {
            throw new IllegalArgumentException("baseUri: must be an http or https URI, got " + baseUri);
        }
        Bounds.require("connectTimeoutMs", connectTimeoutMs, 1, 600_000);
        Bounds.require("requestTimeoutMs", requestTimeoutMs, 1, 600_000);
        Bounds.require("callBudgetMs", callBudgetMs, 1, 86_400_000);
        Bounds.require("maxBatchItems", maxBatchItems, 1, RequestLimits.MAX_BATCH_ITEMS_LIMIT);
        Bounds.require("maxCallsInFlight", maxCallsInFlight, 1, 1_000_000);
    }

    /** The defaults for a server at {@code baseUri}. */
    public static HttpLimiterConfig of(URI baseUri) {
        return new HttpLimiterConfig(
                baseUri, 2_000, 5_000, 30_000, Backoff.DEFAULT, 256, 1_024, Optional.empty(), Optional.empty());
    }

    public static HttpLimiterConfig of(String baseUri) {
        return of(URI.create(baseUri));
    }

    public HttpLimiterConfig withTimeouts(long newConnectTimeoutMs, long newRequestTimeoutMs) {
        return new HttpLimiterConfig(
                baseUri,
                newConnectTimeoutMs,
                newRequestTimeoutMs,
                callBudgetMs,
                retryBackoff,
                maxBatchItems,
                maxCallsInFlight,
                apiToken,
                sslContext);
    }

    public HttpLimiterConfig withCallBudgetMs(long newCallBudgetMs) {
        return new HttpLimiterConfig(
                baseUri,
                connectTimeoutMs,
                requestTimeoutMs,
                newCallBudgetMs,
                retryBackoff,
                maxBatchItems,
                maxCallsInFlight,
                apiToken,
                sslContext);
    }

    public HttpLimiterConfig withRetryBackoff(Backoff newRetryBackoff) {
        return new HttpLimiterConfig(
                baseUri,
                connectTimeoutMs,
                requestTimeoutMs,
                callBudgetMs,
                newRetryBackoff,
                maxBatchItems,
                maxCallsInFlight,
                apiToken,
                sslContext);
    }

    public HttpLimiterConfig withMaxBatchItems(int newMaxBatchItems) {
        return new HttpLimiterConfig(
                baseUri,
                connectTimeoutMs,
                requestTimeoutMs,
                callBudgetMs,
                retryBackoff,
                newMaxBatchItems,
                maxCallsInFlight,
                apiToken,
                sslContext);
    }

    public HttpLimiterConfig withMaxCallsInFlight(int newMaxCallsInFlight) {
        return new HttpLimiterConfig(
                baseUri,
                connectTimeoutMs,
                requestTimeoutMs,
                callBudgetMs,
                retryBackoff,
                maxBatchItems,
                newMaxCallsInFlight,
                apiToken,
                sslContext);
    }

    /** The same, sending {@code token} as the bearer token of every call (blank: none). */
    public HttpLimiterConfig withApiToken(String token) {
        return new HttpLimiterConfig(
                baseUri,
                connectTimeoutMs,
                requestTimeoutMs,
                callBudgetMs,
                retryBackoff,
                maxBatchItems,
                maxCallsInFlight,
                Optional.ofNullable(token),
                sslContext);
    }

    /** The same, trusting what {@code context} trusts on https (for example {@link TrustStores#sslContext}). */
    public HttpLimiterConfig withSslContext(SSLContext context) {
        return new HttpLimiterConfig(
                baseUri,
                connectTimeoutMs,
                requestTimeoutMs,
                callBudgetMs,
                retryBackoff,
                maxBatchItems,
                maxCallsInFlight,
                apiToken,
                Optional.of(context));
    }

    /** Everything but the token, which is a secret. */
    @Override
    public String toString() {
        return "HttpLimiterConfig[baseUri=" + baseUri + ", connectTimeoutMs=" + connectTimeoutMs + ", requestTimeoutMs="
                + requestTimeoutMs + ", callBudgetMs=" + callBudgetMs + ", retryBackoff=" + retryBackoff
                + ", maxBatchItems=" + maxBatchItems + ", maxCallsInFlight=" + maxCallsInFlight + ", apiToken="
                + (apiToken.isPresent() ? "set" : "none") + ", sslContext="
                + (sslContext.isPresent() ? "given" : "default")
                + "]";
    }
}
