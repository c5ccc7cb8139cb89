package dev.ratelimiter.stepdefs.target;

import dev.ratelimiter.stepdefs.api.LimiterHttp;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Any server that speaks the API, at the URL in the environment variable {@value #VARIABLE}: ours
 * started by hand, or another implementation. The harness starts and stops nothing; it only checks
 * that the server is healthy before the first scenario. Immutable and thread-safe.
 */
public final class UrlTarget implements Target {
    public static final String VARIABLE = "RATELIMITER_URL";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);

    private final LimiterHttp http;

    private UrlTarget(URI uri) {
        this.http = new LimiterHttp(uri);
    }

    /** The configured URL, if the variable is set and not blank. */
    public static Optional<URI> configured() {
        String value = System.getenv(VARIABLE);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(URI.create(value.strip()));
    }

    /**
     * Connects to the server at {@code uri}.
     *
     * @throws IllegalStateException when it is not healthy within 10 s
     */
    public static UrlTarget connect(URI uri) {
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException(VARIABLE + " must be an http:// or https:// URL, got " + uri);
        }
        UrlTarget target = new UrlTarget(uri);
        Readiness.awaitHealthy(target.http, READY_TIMEOUT, () -> null);
        return target;
    }

    @Override
    public String describe() {
        return "the server at " + http.baseUri() + " (url target, from " + VARIABLE + ")";
    }

    @Override
    public LimiterHttp http() {
        return http;
    }

    @Override
    public void close() {
        // Nothing to stop: the server at the URL belongs to whoever started it.
    }
}
