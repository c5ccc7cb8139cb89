package dev.ratelimiter.stepdefs.target;

import dev.ratelimiter.stepdefs.api.LimiterHttp;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * The server ratelimiterd in this JVM, on the memory backend, on a random loopback port, with an
 * empty registry in a fresh directory and no seed limits. The fastest target, and the one a
 * debugger can step into. Thread-safe: the fields are final.
 */
public final class EmbeddedTarget implements Target {
    private final EmbeddedServer server;
    private final LimiterHttp http;

    private EmbeddedTarget(EmbeddedServer server) {
        this.server = server;
        this.http = new LimiterHttp(URI.create("http://127.0.0.1:" + server.getPort()));
    }

    /** Starts the application context and its HTTP server; Micronaut bounds the start itself. */
    public static EmbeddedTarget start(Path workDir) {
        Map<String, Object> settings = Map.of(
                "micronaut.server.host", "127.0.0.1",
                "micronaut.server.port", -1,
                "ratelimiter.backend", "memory",
                "ratelimiter.registry-path", workDir.resolve("registry.json").toString(),
                "ratelimiter.seed-limits-path", "",
                "ratelimiter.shutdown-grace-period-ms", 2000);
        return new EmbeddedTarget(ApplicationContext.run(EmbeddedServer.class, settings));
    }

    @Override
    public String describe() {
        return "ratelimiterd in this JVM at " + http.baseUri() + " (embedded target, memory backend)";
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
