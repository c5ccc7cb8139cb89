package dev.ratelimiter.server;

import dev.ratelimiter.server.lifecycle.BackendFactory;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A server started by hand on a chosen registry file, for tests that stop and start servers
 * (restarts, graceful shutdown) or need a replaced backend. Random port, seeding off unless set.
 */
final class TestServer implements AutoCloseable {
    final ApplicationContext context;
    final EmbeddedServer server;
    final Api api;

    private TestServer(ApplicationContext context, EmbeddedServer server) {
        this.context = context;
        this.server = server;
        this.api = new Api(server.getURI());
    }

    static TestServer start(Path registry, Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>();
        all.put("micronaut.server.port", -1);
        all.put("ratelimiter.seed-limits-path", "");
        all.put("ratelimiter.registry-path", registry.toString());
        all.putAll(properties);
        ApplicationContext context = ApplicationContext.builder()
                .properties(all)
                .environments("test")
                .start();
        EmbeddedServer server = context.getBean(EmbeddedServer.class);
        server.start();
        try {
            // As Application does: the memory backend's books must be back (or their damage reported).
            context.getBean(BackendFactory.class).awaitBooks();
        } catch (RuntimeException e) {
            server.stop();
            context.close();
            throw e;
        }
        return new TestServer(context, server);
    }

    @Override
    public void close() {
        if (server.isRunning()) {
            server.stop();
        }
        if (context.isRunning()) {
            context.close();
        }
    }
}
