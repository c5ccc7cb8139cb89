package dev.ratelimiter.server.config;

import io.micronaut.context.annotation.Property;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * Who may call what (SPEC 3, access control), bound to {@code ratelimiter.admin.token} and
 * {@code ratelimiter.api.token}. An unset or blank token means "not configured": then the admin API
 * is served to loopback peers only, and reserve and complete are open. Immutable and thread-safe.
 *
 * <p>The tokens are secrets: this class keeps only their SHA-256 digests (in {@link BearerToken}),
 * never prints them, and a refused value is described without being echoed.
 */
@Singleton
public final class AccessSettings {
    public static final String ADMIN_TOKEN = "ratelimiter.admin.token";
    public static final String API_TOKEN = "ratelimiter.api.token";

    private final Optional<BearerToken> adminToken;
    private final Optional<BearerToken> apiToken;

    public AccessSettings(
            @Property(name = ADMIN_TOKEN) @Nullable String adminToken,
            @Property(name = API_TOKEN) @Nullable String apiToken) {
        this.adminToken = BearerToken.configured(ADMIN_TOKEN, adminToken);
        this.apiToken = BearerToken.configured(API_TOKEN, apiToken);
    }

    /** The token every {@code /v1/admin/*} call must carry; empty: admin calls from loopback peers only. */
    public Optional<BearerToken> adminToken() {
        return adminToken;
    }

    /** The token reserve and complete calls must carry; empty: they are open to every peer. */
    public Optional<BearerToken> apiToken() {
        return apiToken;
    }

    @Override
    public String toString() {
        return "AccessSettings[admin token " + (adminToken.isPresent() ? "set" : "not set") + ", api token "
                + (apiToken.isPresent() ? "set" : "not set") + "]";
    }
}
