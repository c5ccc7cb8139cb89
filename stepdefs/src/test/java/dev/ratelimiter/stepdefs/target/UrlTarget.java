package dev.ratelimiter.stepdefs.target;

import dev.ratelimiter.client.http.TrustStores;
import dev.ratelimiter.stepdefs.api.Credentials;
import dev.ratelimiter.stepdefs.api.LimiterHttp;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Any server that speaks the API, at the URL in the environment variable {@value #VARIABLE}: ours
 * started by hand, or another implementation. The harness starts and stops nothing; it only checks
 * that the server is healthy before the first scenario. Tokens and a trust store for https come from
 * the variables named below. Immutable and thread-safe.
 */
public final class UrlTarget implements Target {
    public static final String VARIABLE = "RATELIMITER_URL";
    /** The server's {@code ratelimiter.admin.token}, sent on admin calls; unset: none. */
    public static final String ADMIN_TOKEN_VARIABLE = "RATELIMITER_ADMIN_TOKEN";
    /** The server's {@code ratelimiter.api.token}, sent on reserve and complete; unset: none. */
    public static final String API_TOKEN_VARIABLE = "RATELIMITER_API_TOKEN";
    /** A PKCS12 or JKS trust store for an https URL whose certificate the JVM does not trust. */
    public static final String TRUST_STORE_VARIABLE = "RATELIMITER_TRUST_STORE";
    /** The trust store's password; unset: empty. */
    public static final String TRUST_STORE_PASSWORD_VARIABLE = "RATELIMITER_TRUST_STORE_PASSWORD";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);

    private final LimiterHttp http;

    private UrlTarget(URI uri) {
        Credentials credentials = new Credentials(variable(ADMIN_TOKEN_VARIABLE), variable(API_TOKEN_VARIABLE));
        Optional<SSLContext> trust = variable(TRUST_STORE_VARIABLE)
                .map(path -> TrustStores.sslContext(
                        Path.of(path),
                        variable(TRUST_STORE_PASSWORD_VARIABLE).orElse("").toCharArray()));
        this.http = new LimiterHttp(uri, credentials, trust);
    }

    private static Optional<String> variable(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
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
        Readiness.awaitHealthy(target.http, READY_TIMEOUT);
        return target;
    }

    @Override
    public String describe() {
        return "the server at " + http.baseUri() + " (url target, from " + VARIABLE + ", " + http.credentials() + ")";
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
