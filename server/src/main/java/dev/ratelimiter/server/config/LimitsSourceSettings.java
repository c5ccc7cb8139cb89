package dev.ratelimiter.server.config;

import io.micronaut.context.annotation.Property;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;

/**
 * Where this server's limits come from, bound to {@code ratelimiter.limits-source.*}. Unset (the
 * default): this server is the source of its own limits, changed through its admin API. Set to
 * another ratelimiterd's base URL: this server follows that one's limits (README "A replicated
 * cluster and several servers"): it polls the source's {@code GET /v1/admin/limits}, applies every
 * definition that differs from its own, forwards admin changes it receives to the source, seeds
 * nothing, and on TigerBeetle never moves a limit account's balance itself.
 *
 * <p>Immutable and thread-safe. The token is a secret: it is kept to be sent to the source and never
 * printed ({@link #toString()} says only whether it is set).
 */
@Singleton
public final class LimitsSourceSettings {
    public static final String URL = "ratelimiter.limits-source.url";
    public static final String TOKEN = "ratelimiter.limits-source.token";
    public static final String POLL_INTERVAL_MS = "ratelimiter.limits-source.poll-interval-ms";
    public static final String TIMEOUT_MS = "ratelimiter.limits-source.timeout-ms";

    private final Optional<URI> url;
    private final Optional<String> token;
    private final Duration pollInterval;
    private final Duration timeout;

    public LimitsSourceSettings(
            @Property(name = URL) @Nullable String url,
            @Property(name = TOKEN) @Nullable String token,
            @Property(name = POLL_INTERVAL_MS) long pollIntervalMs,
            @Property(name = TIMEOUT_MS) long timeoutMs) {
        this.url = url == null || url.isBlank() ? Optional.empty() : Optional.of(baseUrl(url.strip()));
        // Checked as the server's own tokens are; what is sent is the trimmed text.
        BearerToken.configured(TOKEN, token);
        this.token = token == null || token.isBlank() ? Optional.empty() : Optional.of(token.strip());
        this.pollInterval = Duration.ofMillis(
                InvalidSettingException.requireRange(POLL_INTERVAL_MS, pollIntervalMs, 50, 3_600_000));
        this.timeout = Duration.ofMillis(InvalidSettingException.requireRange(TIMEOUT_MS, timeoutMs, 100, 60_000));
    }

    /** No source: this server's limits are its own. */
    public static LimitsSourceSettings none() {
        return new LimitsSourceSettings(null, null, 1_000, 2_000);
    }

    /** The base URL of the server whose limits this one follows; empty when it follows none. */
    public Optional<URI> url() {
        return url;
    }

    public boolean follows() {
        return url.isPresent();
    }

    /** The admin token to present to the source; empty: none (the source then must serve this peer without one). */
    public Optional<String> token() {
        return token;
    }

    public Duration pollInterval() {
        return pollInterval;
    }

    /** How long one call to the source may take. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * The source's base URL: http or https, a host, no query or fragment; a trailing slash is
     * dropped so that API paths can be appended.
     */
    private static URI baseUrl(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(
                    URL, "must be a URL such as http://10.0.0.5:8080, got \"" + text + "\" (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new InvalidSettingException(URL, "must start with http:// or https://, got \"" + text + "\"");
        }
        if (uri.getHost() == null) {
            throw new InvalidSettingException(URL, "must name a host, got \"" + text + "\"");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new InvalidSettingException(
                    URL, "must be a base URL without user, query or fragment, got \"" + text + "\"");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return URI.create(scheme.toLowerCase(java.util.Locale.ROOT) + "://" + uri.getRawAuthority() + path);
    }

    @Override
    public String toString() {
        return "LimitsSourceSettings[" + url.map(URI::toString).orElse("none") + ", token "
                + (token.isPresent() ? "set" : "not set") + ", poll every " + pollInterval.toMillis() + " ms]";
    }
}
