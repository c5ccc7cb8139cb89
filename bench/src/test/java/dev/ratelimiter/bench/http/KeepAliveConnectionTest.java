package dev.ratelimiter.bench.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The benchmarks' minimal client against the JDK's own HTTP server, on one kept-alive connection. */
class KeepAliveConnectionTest {
    private HttpServer server;
    private URI baseUri;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/chunked", exchange -> {
            exchange.sendResponseHeaders(201, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("first ".getBytes(StandardCharsets.UTF_8));
                out.flush();
                out.write("second".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
        baseUri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void readsManyResponsesFromOneConnection() throws IOException {
        try (KeepAliveConnection connection = new KeepAliveConnection(baseUri)) {
            for (int i = 0; i < 3; i++) {
                KeepAliveConnection.Response response =
                        connection.post("/echo", ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
                assertEquals(200, response.status());
                assertEquals("{\"n\":" + i + "}", response.bodyText());
            }
            assertEquals(0, connection.reconnects());
            assertEquals(
                    404, connection.get("/missing").status(), "an unknown path answers; the next request reconnects");
            assertEquals(
                    "{}",
                    connection
                            .post("/echo", "{}".getBytes(StandardCharsets.UTF_8))
                            .bodyText());
            assertEquals(1, connection.reconnects(), "the JDK server closes the connection after a 404, and only then");
        }
    }

    @Test
    void readsAChunkedBody() throws IOException {
        try (KeepAliveConnection connection = new KeepAliveConnection(baseUri)) {
            KeepAliveConnection.Response response = connection.get("/chunked");
            assertEquals(201, response.status());
            assertEquals("first second", response.bodyText());
        }
    }
}
