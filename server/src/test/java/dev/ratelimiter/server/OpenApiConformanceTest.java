package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ratelimiter.server.openapi.OpenApiContract;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Calls every operation of openapi.yml on a real server, with each status it can produce here, and
 * lets {@link Api} check every answer against the document. The server has both tokens set (so the
 * 401s exist) and a small body limit (so the 413s are cheap). The last test asserts that every
 * documented operation and status was seen in this JVM except those that need a broken backend or a
 * second peer address, which other classes produce (BackendTroubleTest, LoopbackRuleTest).
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiConformanceTest implements TemporaryRegistry {
    private static final String ADMIN_TOKEN = "conformance-admin-token";
    private static final String API_TOKEN = "conformance-api-token";
    private static final String KEY = "global:llm:conformance:model:tpm";
    private static final String SLOTS = "global:llm:conformance:model:concurrency";
    private static final String TOO_LARGE = "{\"lease_id\":\"" + "x".repeat(2048) + "\"}";
    /**
     * Statuses this class cannot produce: 500 and 503 need a failing or saturated backend, 403 a peer
     * that is not loopback while no admin token is set.
     */
    private static final Set<String> ELSEWHERE = Set.of("403", "500", "503");

    @Inject
    EmbeddedServer server;

    private Api admin;
    private Api caller;
    private Api stranger;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(TemporaryRegistry.super.getProperties());
        properties.put("ratelimiter.admin.token", ADMIN_TOKEN);
        properties.put("ratelimiter.api.token", API_TOKEN);
        properties.put("ratelimiter.max-body-bytes", "1024");
        return properties;
    }

    @BeforeAll
    void clients() {
        admin = new Api(server.getURI(), ADMIN_TOKEN);
        caller = new Api(server.getURI(), API_TOKEN);
        stranger = new Api(server.getURI());
    }

    @Test
    @Order(1)
    void admin() {
        assertStatus(
                200,
                admin.put(
                        "/v1/admin/limits",
                        "{\"key\":\"" + KEY + "\",\"kind\":\"rolling\",\"capacity\":1000,"
                                + "\"window_seconds\":3600,\"unit\":\"tokens\",\"description\":\"conformance\",\"overage\":\"deny\"}"));
        assertStatus(
                200,
                admin.put(
                        "/v1/admin/limits",
                        "{\"key\":\"" + SLOTS + "\",\"kind\":\"concurrency\","
                                + "\"capacity\":1,\"timeout_seconds\":600}"));
        assertStatus(
                400, admin.put("/v1/admin/limits", "{\"key\":\"" + KEY + "\",\"kind\":\"rolling\",\"capacity\":-1}"));
        assertStatus(413, admin.put("/v1/admin/limits", TOO_LARGE));
        assertStatus(401, stranger.put("/v1/admin/limits", "{}"));
        assertStatus(200, admin.get("/v1/admin/limits"));
        assertStatus(401, stranger.get("/v1/admin/limits"));
        assertStatus(200, admin.get("/v1/admin/limits/" + KEY));
        assertStatus(404, admin.get("/v1/admin/limits/global:llm:conformance:missing"));
        assertStatus(401, stranger.get("/v1/admin/limits/" + KEY));
        assertStatus(200, admin.get("/v1/admin/activity"));
        assertStatus(401, stranger.get("/v1/admin/activity"));
        // A decrease below what is held answers "decreasing".
        assertTrue(caller.reserve("conf-hold", KEY, 600).allowed());
        assertEquals(
                "{\"ok\":true,\"status\":\"decreasing\"}",
                admin.put(
                                "/v1/admin/limits",
                                "{\"key\":\"" + KEY
                                        + "\",\"kind\":\"rolling\",\"capacity\":500,\"window_seconds\":3600}")
                        .body());
        assertStatus(200, admin.get("/v1/admin/limits/" + KEY));
    }

    @Test
    @Order(2)
    void admission() {
        String reserve = "{\"lease_id\":\"conf-1\",\"requirements\":[{\"key\":\"" + SLOTS + "\",\"amount\":1}]}";
        assertStatus(200, caller.post("/v1/reserve", reserve));
        assertStatus(200, caller.post("/v1/reserve", reserve.replace("conf-1", "conf-2"))); // exceeds capacity
        assertStatus(200, caller.post("/v1/reserve", reserve.replace(SLOTS, KEY))); // decreasing
        assertStatus(200, caller.post("/v1/reserve", reserve.replace(SLOTS, "global:llm:conformance:nothing")));
        assertStatus(400, caller.post("/v1/reserve", "{\"lease_id\":\"conf:bad\"}"));
        assertStatus(401, stranger.post("/v1/reserve", reserve));
        assertStatus(413, caller.post("/v1/reserve", TOO_LARGE));

        String complete = "{\"lease_id\":\"conf-1\",\"actuals\":[{\"key\":\"" + SLOTS + "\",\"actual_amount\":1}]}";
        assertStatus(200, caller.post("/v1/complete", complete));
        assertStatus(400, caller.post("/v1/complete", "{\"lease_id\":1}"));
        assertStatus(401, stranger.post("/v1/complete", complete));
        assertStatus(413, caller.post("/v1/complete", TOO_LARGE));
        assertStatus(200, caller.post("/v1/reserve", reserve)); // lease_expired:conf-1

        String batch = "{\"requests\":[" + reserve.replace("conf-1", "conf-b1") + ",{\"lease_id\":\"conf-b2\"}]}";
        assertStatus(200, caller.post("/v1/reserve/batch", batch));
        assertStatus(400, caller.post("/v1/reserve/batch", "{\"requests\":[]}"));
        assertStatus(401, stranger.post("/v1/reserve/batch", batch));
        assertStatus(413, caller.post("/v1/reserve/batch", TOO_LARGE));
        String completes = "{\"requests\":[{\"lease_id\":\"conf-b1\"},{\"lease_id\":7}]}";
        assertStatus(200, caller.post("/v1/complete/batch", completes));
        assertStatus(400, caller.post("/v1/complete/batch", "[]"));
        assertStatus(401, stranger.post("/v1/complete/batch", completes));
        assertStatus(413, caller.post("/v1/complete/batch", TOO_LARGE));
    }

    @Test
    @Order(3)
    void operations() {
        assertStatus(200, stranger.get("/healthz"));
        assertStatus(200, stranger.get("/prometheus"));
        HttpResponse<String> document = stranger.get("/openapi.yml");
        assertStatus(200, document);
        assertEquals(OpenApiContract.document(), document.body(), "the served document is the one the tests check");
        assertStatus(200, stranger.get("/"));
        assertStatus(200, stranger.get("/dashboard/dashboard.js"));
        assertStatus(200, stranger.get("/dashboard/dashboard.css"));
        assertStatus(404, stranger.get("/dashboard/openapi.yml"));
        assertStatus(404, stranger.get("/v2/nothing"));
        assertStatus(405, caller.send("DELETE", "/v1/reserve", null, null));
    }

    @Test
    @Order(4)
    void activityCountsAdmissionsAndDenialsPerKey() throws IOException {
        JsonNode slots = activityOf(SLOTS);

        // conf-1 allowed twice (first and the repeat answered lease_expired counts as denied), conf-2
        // denied, conf-b1 allowed: see admission().
        assertEquals(2, sum(slots.get("allowed")), slots.toString());
        assertEquals(2, sum(slots.get("denied")), slots.toString());
        assertEquals(0, sum(slots.get("failed")), slots.toString());
        assertEquals(1, sum(activityOf("unknown key").get("denied")));
    }

    @Test
    @Order(5)
    void everyDocumentedOperationAndStatusWasChecked() {
        OpenApiContract contract = OpenApiContract.shared();
        Set<String> missing = new TreeSet<>(contract.documented());
        missing.removeAll(contract.covered());
        Set<String> expectedElsewhere = new TreeSet<>();
        missing.removeIf(entry -> {
            boolean elsewhere = ELSEWHERE.contains(entry.substring(entry.lastIndexOf(' ') + 1));
            if (elsewhere) {
                expectedElsewhere.add(entry);
            }
            return elsewhere;
        });
        System.out.println("[openapi] " + contract.checked() + " answers checked in this JVM so far; "
                + expectedElsewhere.size() + " documented answers left to other test classes: " + expectedElsewhere);
        assertEquals(Set.of(), missing, "documented in openapi.yml but never checked against a real answer");
    }

    private JsonNode activityOf(String key) throws IOException {
        JsonNode activity = new ObjectMapper().readTree(Api.ok(admin.get("/v1/admin/activity")));
        for (JsonNode entry : activity.get("keys")) {
            if (entry.get("key").asText().equals(key)) {
                return entry;
            }
        }
        throw new AssertionError("no activity for " + key + " in " + activity);
    }

    private static long sum(JsonNode counts) {
        long total = 0;
        for (JsonNode count : counts) {
            total += count.asLong();
        }
        return total;
    }

    private static void assertStatus(int expected, HttpResponse<String> response) {
        assertEquals(
                expected,
                response.statusCode(),
                () -> response.request().method() + " " + response.uri() + " answered " + response.body());
    }
}
