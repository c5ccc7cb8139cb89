package dev.ratelimiter.server.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.wire.ErrorBody;
import dev.ratelimiter.core.wire.WireCodec;
import dev.ratelimiter.server.TemporaryRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * A server with both tokens set (SPEC 3, access control), called over real HTTP: admin calls need the
 * admin token, reserve and complete the api token, health and metrics nothing; refusals are 401
 * {@code unauthorized} in the usual error body and never show a token; every saved admin change
 * writes one audit line.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessControlTest implements TemporaryRegistry {
    private static final String ADMIN_TOKEN = "test-admin-token-5f1c9a";
    private static final String API_TOKEN = "test-api-token-77d02e";
    private static final String DEFINITION =
            "{\"key\":\"access:tpm\",\"kind\":\"rolling\",\"capacity\":10," + "\"window_seconds\":60}";
    private static final String RESERVE =
            "{\"lease_id\":\"access-1\",\"requirements\":[{\"key\":\"access:tpm\"," + "\"amount\":1}]}";

    @Inject
    EmbeddedServer server;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final WireCodec codec = new WireCodec();
    private final ListAppender<ILoggingEvent> audit = new ListAppender<>();

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(TemporaryRegistry.super.getProperties());
        properties.put("ratelimiter.admin.token", ADMIN_TOKEN);
        properties.put("ratelimiter.api.token", API_TOKEN);
        return properties;
    }

    @BeforeAll
    void captureAuditLines() {
        audit.start();
        ((Logger) LoggerFactory.getLogger(AdminAudit.LOGGER)).addAppender(audit);
    }

    @AfterAll
    void stopCapturing() {
        ((Logger) LoggerFactory.getLogger(AdminAudit.LOGGER)).detachAppender(audit);
    }

    private HttpResponse<String> send(String method, String path, String body, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private void assertUnauthorized(HttpResponse<String> response, String settingNamed) {
        assertEquals(401, response.statusCode(), response.body());
        ErrorBody error = codec.readError(response.body().getBytes(StandardCharsets.UTF_8));
        assertEquals("unauthorized", error.error());
        assertTrue(error.detail().contains(settingNamed), error.detail());
        assertEquals(
                "Bearer realm=\"ratelimiterd\"",
                response.headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals(
                "application/json",
                response.headers().firstValue("Content-Type").orElse(""));
        assertFalse(response.body().contains(ADMIN_TOKEN) || response.body().contains(API_TOKEN), response.body());
    }

    private void defineTheLimit() {
        assertEquals(
                200,
                send("PUT", "/v1/admin/limits", DEFINITION, "Bearer " + ADMIN_TOKEN)
                        .statusCode());
    }

    @Test
    void adminCallsWithoutTheTokenAreUnauthorized() {
        assertUnauthorized(send("PUT", "/v1/admin/limits", DEFINITION, null), "ratelimiter.admin.token");
        assertUnauthorized(send("GET", "/v1/admin/limits", null, null), "ratelimiter.admin.token");
        assertUnauthorized(send("GET", "/v1/admin/limits/access:tpm", null, null), "ratelimiter.admin.token");
    }

    @Test
    void aWrongAdminTokenIsUnauthorizedAndChangesNothing() {
        assertUnauthorized(
                send(
                        "PUT",
                        "/v1/admin/limits",
                        "{\"key\":\"access:never\",\"kind\":\"rolling\"," + "\"capacity\":1,\"window_seconds\":60}",
                        "Bearer " + ADMIN_TOKEN + "-wrong"),
                "ratelimiter.admin.token");
        assertUnauthorized(send("GET", "/v1/admin/limits", null, "Bearer " + API_TOKEN), "ratelimiter.admin.token");

        assertEquals(
                404,
                send("GET", "/v1/admin/limits/access:never", null, "Bearer " + ADMIN_TOKEN)
                        .statusCode());
    }

    @Test
    void anUnknownAdminPathAnswersUnauthorizedRatherThanNotFound() {
        assertUnauthorized(send("GET", "/v1/admin/secrets", null, null), "ratelimiter.admin.token");
        assertEquals(
                404,
                send("GET", "/v1/admin/secrets", null, "Bearer " + ADMIN_TOKEN).statusCode());
    }

    @Test
    void theAdminWithTheTokenChangesAndReadsLimits() {
        HttpResponse<String> put = send("PUT", "/v1/admin/limits", DEFINITION, "Bearer " + ADMIN_TOKEN);
        HttpResponse<String> read = send("GET", "/v1/admin/limits/access:tpm", null, "bearer " + ADMIN_TOKEN);

        assertEquals(200, put.statusCode(), put.body());
        assertEquals(200, read.statusCode(), read.body());
        assertEquals(
                LimitDefinition.rolling("access:tpm", 10, 60),
                codec.readLimit(read.body().getBytes(StandardCharsets.UTF_8)).definition());
    }

    @Test
    void reserveAndCompleteNeedTheApiToken() {
        defineTheLimit();
        String batch = "{\"requests\":[" + RESERVE + "]}";
        for (String path : List.of("/v1/reserve", "/v1/complete", "/v1/reserve/batch", "/v1/complete/batch")) {
            String body = path.contains("batch") ? batch : RESERVE;
            assertUnauthorized(send("POST", path, body, null), "ratelimiter.api.token");
            assertUnauthorized(send("POST", path, body, "Bearer " + ADMIN_TOKEN), "ratelimiter.api.token");
        }

        HttpResponse<String> reserve = send("POST", "/v1/reserve", RESERVE, "Bearer " + API_TOKEN);

        assertEquals(200, reserve.statusCode(), reserve.body());
        assertTrue(
                codec.readReserveResponse(reserve.body().getBytes(StandardCharsets.UTF_8))
                        .allowed(),
                reserve.body());
    }

    @Test
    void healthAndMetricsNeedNoToken() {
        assertEquals(200, send("GET", "/healthz", null, null).statusCode());
        assertEquals(200, send("GET", "/prometheus", null, null).statusCode());
    }

    @Test
    void everySavedAdminChangeWritesOneAuditLineWithPeerKeyOldAndNew() {
        String key = "access:audited";
        String created = "{\"key\":\"" + key + "\",\"kind\":\"rolling\",\"capacity\":10,\"window_seconds\":60}";
        String lowered = "{\"key\":\"" + key + "\",\"kind\":\"rolling\",\"capacity\":4,\"window_seconds\":60}";

        send("PUT", "/v1/admin/limits", created, "Bearer " + ADMIN_TOKEN);
        send("PUT", "/v1/admin/limits", lowered, "Bearer " + ADMIN_TOKEN);
        send("PUT", "/v1/admin/limits", lowered, "Bearer wrong");

        List<String> lines = audit.list.stream()
                .map(ILoggingEvent::getFormattedMessage)
                .filter(line -> line.contains("\"key\":\"" + key + "\""))
                .toList();
        assertEquals(2, lines.size(), "one line per saved change, none for the refused one: " + lines);
        assertTrue(
                lines.get(0)
                        .matches(
                                "\\{\"event\":\"limit_changed\",\"time\":\"\\d{4}-\\d\\d-\\d\\dT[^\"]+Z\","
                                        + "\"peer\":\"127\\.0\\.0\\.1:\\d+\",\"key\":\"access:audited\",\"old\":null,\"new\":\\{.*"),
                lines.get(0));
        assertTrue(
                lines.get(1)
                        .contains("\"old\":{\"definition\":{\"key\":\"access:audited\",\"kind\":\"rolling\","
                                + "\"capacity\":10,"),
                lines.get(1));
        assertTrue(
                lines.get(1)
                                .contains("\"new\":{\"definition\":{\"key\":\"access:audited\",\"kind\":\"rolling\","
                                        + "\"capacity\":10,")
                        && lines.get(1).contains("\"status\":\"decreasing\",\"pending_decrease_to\":4"),
                lines.get(1));
        for (String line : lines) {
            assertFalse(line.contains(ADMIN_TOKEN), line);
        }
    }
}
