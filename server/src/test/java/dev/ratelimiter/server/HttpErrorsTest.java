package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.wire.ErrorBody;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Routing and transport errors answered as JSON, content types, and /healthz. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpErrorsTest implements TemporaryRegistry {
    private static final String KEY = "global:llm:errors:model:rpm";
    private static final String RESERVE =
            "{\"lease_id\":\"%s\",\"requirements\":[{\"key\":\"" + KEY + "\",\"amount\":1}]}";

    @Inject
    EmbeddedServer server;

    Api api;

    @BeforeAll
    void createLimit() {
        api = new Api(server.getURI());
        api.putLimit(LimitDefinition.rolling(KEY, 1000, 3600));
    }

    @Test
    void answersAnUnknownRouteWithNotFoundJson() {
        // "/" is the dashboard page (OperatorPagesController).
        for (String path : new String[] {"/index.html", "/v1", "/v1/reserves", "/v2/reserve", "/v1/admin/limit"}) {
            HttpResponse<String> response = api.get(path);

            assertEquals(404, response.statusCode(), path);
            assertEquals(
                    "application/json",
                    response.headers().firstValue("content-type").orElse(""),
                    path);
            assertEquals("not_found", api.error(response).error(), path);
        }
    }

    @Test
    void answersAWrongMethodWith405JsonAndAllow() {
        assertNotAllowed("GET", "/v1/reserve", Set.of("POST"));
        assertNotAllowed("PUT", "/v1/complete", Set.of("POST"));
        assertNotAllowed("DELETE", "/v1/reserve/batch", Set.of("POST"));
        assertNotAllowed("GET", "/v1/complete/batch", Set.of("POST"));
        // Micronaut answers HEAD wherever GET is routed.
        assertNotAllowed("POST", "/v1/admin/limits", Set.of("GET", "HEAD", "PUT"));
        assertNotAllowed("DELETE", "/v1/admin/limits/" + KEY, Set.of("GET", "HEAD"));
        assertNotAllowed("POST", "/healthz", Set.of("GET", "HEAD"));
    }

    @Test
    void rejectsABodyOverTheLimitWith413() {
        String padding = "x".repeat(1024 * 1024);
        HttpResponse<String> response =
                api.post("/v1/reserve", "{\"lease_id\":\"big-1\",\"job_id\":\"" + padding + "\",\"requirements\":[]}");

        assertEquals(413, response.statusCode());
        ErrorBody error = api.error(response);
        assertEquals("invalid_request", error.error());
        assertEquals("body: must be at most 1048576 bytes", error.detail());
    }

    /** A chunked body has no Content-Length up front; the limit still holds. */
    @Test
    void rejectsAChunkedBodyOverTheLimitWith413() throws IOException {
        byte[] chunk = ("{\"lease_id\":\"big-2\",\"job_id\":\"" + "y".repeat(2 * 1024 * 1024) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/reserve HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            try {
                out.write(chunk);
                out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // The server may answer and close before it has read the whole body; the answer is still there.
            }
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);

            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            assertTrue(
                    answer.contains(
                            "{\"error\":\"invalid_request\",\"detail\":\"body: must be at most 1048576 bytes\"}"),
                    answer);
        }
    }

    @Test
    void readsTheBodyWhateverTheContentType() {
        for (String contentType : new String[] {
            null,
            "application/json",
            "application/json; charset=utf-8",
            "application/x-www-form-urlencoded",
            "text/plain"
        }) {
            HttpResponse<String> response = api.send(
                    "POST",
                    "/v1/reserve",
                    String.format(
                            RESERVE,
                            "ct-" + Math.abs(String.valueOf(contentType).hashCode())),
                    contentType);

            assertEquals(200, response.statusCode(), contentType + ": " + response.body());
            assertTrue(api.codec().readReserveResponse(Api.ok(response)).allowed(), String.valueOf(contentType));
            assertEquals(
                    "application/json",
                    response.headers().firstValue("content-type").orElse(""));
        }
    }

    @Test
    void reportsHealthAsPlainText() {
        HttpResponse<String> response = api.get("/healthz");

        assertEquals(200, response.statusCode());
        assertEquals("ok", response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
    }

    private void assertNotAllowed(String method, String path, Set<String> allowed) {
        HttpResponse<String> response = api.send(method, path, "{}", Api.JSON);

        assertEquals(405, response.statusCode(), method + " " + path + ": " + response.body());
        assertEquals(
                allowed,
                Set.of(response.headers().firstValue("allow").orElse("").split(",")),
                method + " " + path);
        ErrorBody error = api.error(response);
        assertEquals("invalid_request", error.error());
        assertTrue(error.detail().contains(method + " " + path), error.detail());
    }
}
