package dev.ratelimiter.stepdefs.target;

import dev.ratelimiter.stepdefs.api.Credentials;
import dev.ratelimiter.stepdefs.api.LimiterHttp;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The server ratelimiterd in this JVM, on the memory backend, on a random loopback port, with an
 * empty registry in a fresh directory, no seed limits, and both tokens set. The fastest target, and the one a
 * debugger can step into. Thread-safe: the fields are final.
 */
public final class EmbeddedTarget implements Target {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final EmbeddedServer server;
    private final LimiterHttp http;

    private EmbeddedTarget(EmbeddedServer server, Credentials credentials) {
        this.server = server;
        this.http = new LimiterHttp(URI.create("http://127.0.0.1:" + server.getPort()), credentials, Optional.empty());
    }

    /**
     * Starts the application context and its HTTP server; Micronaut bounds the start itself. The
     * server requires an admin token and an api token, fresh random ones each run, which the harness
     * sends on every call: every scenario passes through the access rules, and the scenarios about
     * tokens run here (the process target covers a server without tokens).
     */
    public static EmbeddedTarget start(Path workDir) {
        Credentials credentials = new Credentials(Optional.of(randomToken("admin")), Optional.of(randomToken("api")));
        Map<String, Object> settings = Map.of(
                "micronaut.server.host",
                "127.0.0.1",
                "micronaut.server.port",
                -1,
                "ratelimiter.backend",
                "memory",
                "ratelimiter.registry-path",
                workDir.resolve("registry.json").toString(),
                "ratelimiter.seed-limits-path",
                "",
                "ratelimiter.shutdown-grace-period-ms",
                2000,
                "ratelimiter.admin.token",
                credentials.adminToken().orElseThrow(),
                "ratelimiter.api.token",
                credentials.apiToken().orElseThrow());
        return new EmbeddedTarget(ApplicationContext.run(EmbeddedServer.class, settings), credentials);
    }

    private static String randomToken(String role) {
        byte[] random = new byte[24];
        RANDOM.nextBytes(random);
        return role + "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    @Override
    public String describe() {
        return "ratelimiterd in this JVM at " + http.baseUri() + " (embedded target, memory backend, admin and api"
                + " tokens required)";
    }

    @Override
    public LimiterHttp http() {
        return http;
    }

    /** Stops the server and closes its context, which stops the decrease loop and the backend. */
    @Override
    public void close() {
        server.getApplicationContext().close();
    }
}
