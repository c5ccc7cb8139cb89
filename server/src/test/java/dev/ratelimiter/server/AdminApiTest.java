package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.core.wire.ErrorBody;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The admin API: PUT with its validation and statuses, GET of all and of one key, and the decrease loop. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiTest implements TemporaryRegistry {

    @Inject
    EmbeddedServer server;

    Api api;

    @BeforeAll
    void client() {
        api = new Api(server.getURI());
    }

    @Test
    void createsALimitAndShowsItWithUsage() {
        HttpResponse<String> response = api.put(
                "/v1/admin/limits",
                "{\"key\":\"  tenant:t1:llm:daily_tokens \","
                        + "\"kind\":\"ROLLING\",\"capacity\":5000,\"window_seconds\":86400,\"unit\":\"tokens\","
                        + "\"description\":\"daily\"}");

        assertEquals(200, response.statusCode());
        assertEquals("{\"ok\":true,\"status\":\"active\"}", response.body());
        LimitInfo info = api.limit("tenant:t1:llm:daily_tokens");
        assertEquals(
                new LimitDefinition(
                        "tenant:t1:llm:daily_tokens",
                        LimitKind.ROLLING,
                        5000,
                        86400,
                        0,
                        "tokens",
                        "daily",
                        Overage.DEBT),
                info.definition());
        assertEquals(LimitStatus.ACTIVE, info.status());
        assertEquals(0, info.pendingDecreaseTo());
        assertEquals(new Usage(0, 5000, 0), info.usage());
    }

    @Test
    void readsAKeyWithColonsWhetherOrNotTheyAreEncoded() {
        String key = "global:llm:admin:model-1.5:rpm";
        api.putLimit(LimitDefinition.rolling(key, 7, 60));

        LimitInfo plain = api.codec().readLimit(Api.ok(api.get("/v1/admin/limits/" + key)));
        LimitInfo encoded = api.codec()
                .readLimit(Api.ok(api.get("/v1/admin/limits/" + URLEncoder.encode(key, StandardCharsets.UTF_8))));

        assertEquals(key, plain.definition().key());
        assertEquals(plain, encoded);
    }

    @Test
    void readsAKeyThatContainsASlash() {
        String key = "global:llm:admin:org/model:rpm";
        api.putLimit(LimitDefinition.rolling(key, 3, 60));

        assertEquals(key, api.limit(key).definition().key());
    }

    @Test
    void answersNotFoundForAnUnknownKey() {
        HttpResponse<String> response = api.get("/v1/admin/limits/global:llm:admin:missing:rpm");

        assertEquals(404, response.statusCode());
        ErrorBody error = api.error(response);
        assertEquals("not_found", error.error());
        assertTrue(error.detail().contains("global:llm:admin:missing:rpm"), error.detail());
    }

    @Test
    void listsEveryLimitSortedByKey() {
        api.putLimit(LimitDefinition.rolling("zz:list:c", 1, 60));
        api.putLimit(LimitDefinition.concurrency("zz:list:a", 1, 60));
        api.putLimit(LimitDefinition.rolling("zz:list:b", 1, 60));

        List<LimitInfo> limits = api.codec().readLimits(Api.ok(api.get("/v1/admin/limits")));

        List<String> keys = limits.stream().map(info -> info.definition().key()).toList();
        assertEquals(keys.stream().sorted().toList(), keys);
        assertTrue(keys.containsAll(List.of("zz:list:a", "zz:list:b", "zz:list:c")), keys.toString());
    }

    @Test
    void rejectsDefinitionsThatBreakTheRules() {
        assertInvalid("{\"key\":\"k:1\",\"kind\":\"bucket\",\"capacity\":1,\"window_seconds\":1}", "kind");
        assertInvalid("{\"key\":\"k:1\",\"kind\":\"rolling\",\"capacity\":0,\"window_seconds\":1}", "capacity");
        assertInvalid("{\"key\":\"k:1\",\"kind\":\"rolling\",\"capacity\":1}", "window_seconds");
        assertInvalid(
                "{\"key\":\"k:1\",\"kind\":\"rolling\",\"capacity\":1,\"window_seconds\":1,\"timeout_seconds\":5}",
                "timeout_seconds");
        assertInvalid(
                "{\"key\":\"k:1\",\"kind\":\"concurrency\",\"capacity\":1,\"window_seconds\":1}", "timeout_seconds");
        assertInvalid(
                "{\"key\":\"k:1\",\"kind\":\"rolling\",\"capacity\":1,\"window_seconds\":4294967296}",
                "window_seconds");
        assertInvalid(
                "{\"key\":\"k:1\",\"kind\":\"rolling\",\"capacity\":1,\"window_seconds\":1,\"overage\":\"forgive\"}",
                "overage");
        assertInvalid("{\"key\":\"k 1\",\"kind\":\"rolling\",\"capacity\":1,\"window_seconds\":1}", "key");
        assertInvalid(
                "{\"key\":\"k:1\",\"kind\":\"rolling\",\"capacity\":1,\"window_seconds\":1,\"color\":\"red\"}",
                "color");
        assertInvalid("{\"key\":\"k:1\",\"kind\":\"rolling\",\"capacity\":1.0,\"window_seconds\":1}", "capacity");
        assertInvalid(
                "{\"key\":\"k:1\",\"kind\":\"rolling\",\"capacity\":1,\"window_seconds\":1,\"unit\":\"" + "u".repeat(65)
                        + "\"}",
                "unit");
        assertInvalid("not json", "body");
    }

    @Test
    void rejectsChangingTheKindOfAKey() {
        api.putLimit(LimitDefinition.rolling("global:llm:admin:kind:rpm", 5, 60));

        HttpResponse<String> response = api.put(
                "/v1/admin/limits",
                "{\"key\":\"global:llm:admin:kind:rpm\",\"kind\":\"concurrency\",\"capacity\":5,\"timeout_seconds\":60}");

        assertEquals(400, response.statusCode());
        assertEquals("invalid_request", api.error(response).error());
        assertTrue(api.error(response).detail().startsWith("kind"), response.body());
        assertEquals(
                LimitKind.ROLLING,
                api.limit("global:llm:admin:kind:rpm").definition().kind());
    }

    @Test
    void raisesCapacityAtOnce() {
        String key = "global:llm:admin:raise:rpm";
        api.putLimit(LimitDefinition.rolling(key, 1, 3600));
        assertTrue(api.reserve("raise-1", key, 1).allowed());

        assertEquals(
                LimitStatus.ACTIVE,
                api.putLimit(LimitDefinition.rolling(key, 2, 3600)).status());

        assertTrue(api.reserve("raise-2", key, 1).allowed());
    }

    /** The server's own loop applies a decrease once enough capacity is free (no manual trigger). */
    @Test
    void appliesADecreaseOnceCapacityIsFreed() {
        String key = "global:llm:admin:shrink:concurrency";
        api.putLimit(LimitDefinition.concurrency(key, 10, 600));
        assertTrue(api.reserve("shrink-a", key, 8).allowed());

        assertEquals(
                LimitStatus.DECREASING,
                api.putLimit(LimitDefinition.concurrency(key, 4, 600)).status());
        LimitInfo decreasing = api.limit(key);
        api.complete("shrink-a", key, 0);

        assertEquals(LimitStatus.DECREASING, decreasing.status());
        assertEquals(4, decreasing.pendingDecreaseTo());
        assertEquals(10, decreasing.definition().capacity());
        Api.awaitTrue(
                "the decrease is applied",
                Duration.ofSeconds(10),
                () -> api.limit(key).status() == LimitStatus.ACTIVE);
        LimitInfo applied = api.limit(key);
        assertEquals(4, applied.definition().capacity());
        assertEquals(0, applied.pendingDecreaseTo());
        assertTrue(api.reserve("shrink-b", key, 4).allowed());
    }

    @Test
    void cancelsAPendingDecreaseWhenCapacityIsRaisedAgain() {
        String key = "global:llm:admin:cancel:rpm";
        api.putLimit(LimitDefinition.rolling(key, 10, 3600));
        assertTrue(api.reserve("cancel-1", key, 10).allowed());
        assertEquals(
                LimitStatus.DECREASING,
                api.putLimit(LimitDefinition.rolling(key, 5, 3600)).status());

        assertEquals(
                LimitStatus.ACTIVE,
                api.putLimit(LimitDefinition.rolling(key, 12, 3600)).status());

        LimitInfo info = api.limit(key);
        assertEquals(12, info.definition().capacity());
        assertEquals(0, info.pendingDecreaseTo());
    }

    private void assertInvalid(String body, String detailPart) {
        HttpResponse<String> response = api.put("/v1/admin/limits", body);
        assertEquals(400, response.statusCode(), response.body());
        ErrorBody error = api.error(response);
        assertEquals("invalid_request", error.error());
        assertTrue(
                error.detail().contains(detailPart),
                () -> "detail should contain " + detailPart + ": " + error.detail());
    }
}
