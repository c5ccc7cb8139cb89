package dev.ratelimiter.client.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ratelimiter.client.Limiter;
import dev.ratelimiter.client.http.HttpLimiter;
import dev.ratelimiter.client.http.HttpLimiterConfig;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.wire.WireCodec;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end workload against the real server in process: scheduler, batcher and the HTTP
 * limiter talk to {@code ratelimiterd} on a random port with the memory backend and a registry in a
 * temporary directory. The limits are created through the admin API.
 */
class HttpEndToEndTest extends EndToEndContract {
    @TempDir
    static Path dir;

    private static EmbeddedServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = ApplicationContext.run(
                EmbeddedServer.class,
                Map.of(
                        "micronaut.server.port",
                        -1,
                        "ratelimiter.backend",
                        "memory",
                        "ratelimiter.registry-path",
                        dir.resolve("registry.json").toString(),
                        "ratelimiter.seed-limits-path",
                        ""));
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        WireCodec codec = new WireCodec();
        for (LimitDefinition limit : limits()) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(baseUri() + "/v1/admin/limits"))
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(codec.write(limit)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), "PUT " + limit.key() + ": " + response.body());
        }
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static String baseUri() {
        return "http://127.0.0.1:" + server.getPort();
    }

    @Override
    Limiter newLimiter() {
        return new HttpLimiter(HttpLimiterConfig.of(baseUri()));
    }

    @Override
    String target() {
        return "http";
    }
}
