package dev.ratelimiter.stepdefs.api;

import java.util.Objects;
import java.util.Optional;

/**
 * The bearer tokens the harness sends (SPEC 3, access control): the admin token on
 * {@code /v1/admin/*} paths, the api token on the other {@code /v1/} paths, nothing on
 * {@code /healthz}. Immutable; {@link #toString()} never shows a token.
 *
 * @param adminToken the server's {@code ratelimiter.admin.token}, when it has one
 * @param apiToken the server's {@code ratelimiter.api.token}, when it has one
 */
public record Credentials(Optional<String> adminToken, Optional<String> apiToken) {
    /** No token at all: what a server without tokens expects, and what an outsider sends. */
    public static final Credentials NONE = new Credentials(Optional.empty(), Optional.empty());

    public Credentials {
        Objects.requireNonNull(adminToken, "adminToken");
        Objects.requireNonNull(apiToken, "apiToken");
        adminToken = adminToken.map(String::strip).filter(token -> !token.isEmpty());
        apiToken = apiToken.map(String::strip).filter(token -> !token.isEmpty());
    }

    /** The token to send on {@code path}, if any. */
    public Optional<String> tokenFor(String path) {
        if (path.startsWith(Routes.ADMIN_PREFIX)) {
            return adminToken;
        }
        return path.startsWith(Routes.API_PREFIX) ? apiToken : Optional.empty();
    }

    @Override
    public String toString() {
        return "Credentials[admin token " + (adminToken.isPresent() ? "set" : "none") + ", api token "
                + (apiToken.isPresent() ? "set" : "none") + "]";
    }
}
