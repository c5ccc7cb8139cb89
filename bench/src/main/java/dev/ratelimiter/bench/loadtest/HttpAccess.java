package dev.ratelimiter.bench.loadtest;

import dev.ratelimiter.client.http.TrustStores;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How the load generator gets into a server with access control (SPEC 3): the admin token for
 * seeding limits, the api token for reserve and complete, and a trust store for https. Immutable;
 * {@link #toString()} never shows a token.
 *
 * @param adminToken sent on admin calls, when the server has {@code ratelimiter.admin.token}
 * @param apiToken sent on reserve and complete, when the server has {@code ratelimiter.api.token}
 * @param sslContext whom to trust on https; empty: the JVM's default trust
 */
record HttpAccess(Optional<String> adminToken, Optional<String> apiToken, Optional<SSLContext> sslContext) {
    static final HttpAccess NONE = new HttpAccess(Optional.empty(), Optional.empty(), Optional.empty());

    /** From the command's options; blank tokens and an unset trust store mean none. */
    static HttpAccess of(String adminToken, String apiToken, Path trustStore, String trustStorePassword) {
        return new HttpAccess(
                text(adminToken),
                text(apiToken),
                Optional.ofNullable(trustStore)
                        .map(path -> TrustStores.sslContext(
                                path, trustStorePassword == null ? new char[0] : trustStorePassword.toCharArray())));
    }

    private static Optional<String> text(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /** A JDK client builder that trusts what this access trusts. */
    HttpClient.Builder clientBuilder() {
        HttpClient.Builder builder = HttpClient.newBuilder();
        sslContext.ifPresent(builder::sslContext);
        return builder;
    }

    @Override
    public String toString() {
        return "HttpAccess[admin token " + (adminToken.isPresent() ? "set" : "none") + ", api token "
                + (apiToken.isPresent() ? "set" : "none") + ", trust " + (sslContext.isPresent() ? "given" : "default")
                + "]";
    }
}
