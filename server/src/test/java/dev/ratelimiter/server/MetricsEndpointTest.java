package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** /prometheus at the root path: outcomes per registered key, bounded labels, latency, batch sizes, reserved gauge. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsEndpointTest implements TemporaryRegistry {
    private static final String KEY = "global:llm:metrics:model:rpm";
    private static final String SMALL = "global:llm:metrics:small:concurrency";

    @Inject
    EmbeddedServer server;

    Api api;

    @BeforeAll
    void createLimits() {
        api = new Api(server.getURI());
        api.putLimit(LimitDefinition.rolling(KEY, 100, 3600));
        api.putLimit(LimitDefinition.concurrency(SMALL, 1, 600));
    }

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(TemporaryRegistry.super.getProperties());
        properties.put("ratelimiter.usage-sample-interval-ms", "20");
        return properties;
    }

    @Test
    void countsOutcomesPerRegisteredKeyAndEverythingElseAsUnknown() {
        double allowedBefore =
                value(scrape(), "ratelimiter_admissions_total", "key=\"" + KEY + "\",outcome=\"allowed\"");
        double unknownBefore =
                value(scrape(), "ratelimiter_admissions_total", "key=\"unknown key\",outcome=\"denied\"");
        assertTrue(api.reserve("m-1", KEY, 1).allowed());
        assertTrue(api.reserve("m-2", KEY, 1).allowed());
        assertTrue(api.reserve("m-small-1", SMALL, 1).allowed());
        assertFalse(api.reserve("m-small-2", SMALL, 1).allowed());
        assertFalse(
                api.reserve("m-nokey", "global:llm:metrics:never:created", 1).allowed());

        String metrics = scrape();

        assertEquals(
                allowedBefore + 2,
                value(metrics, "ratelimiter_admissions_total", "key=\"" + KEY + "\",outcome=\"allowed\""));
        assertEquals(1, value(metrics, "ratelimiter_admissions_total", "key=\"" + SMALL + "\",outcome=\"denied\""));
        assertEquals(
                unknownBefore + 1,
                value(metrics, "ratelimiter_admissions_total", "key=\"unknown key\",outcome=\"denied\""));
        assertFalse(metrics.contains("global:llm:metrics:never:created"), "an unregistered key never becomes a label");
    }

    @Test
    void countsTheOutcomesOfBatchItemsAsSingleReservesAreCounted() {
        String key = "global:llm:metrics:batch:rpm";
        api.putLimit(LimitDefinition.rolling(key, 2, 3600));
        double unknownBefore =
                value(scrape(), "ratelimiter_admissions_total", "key=\"unknown key\",outcome=\"denied\"");
        double invalidBefore = value(scrape(), "ratelimiter_batch_invalid_items_total", "operation=\"reserve\"");

        Api.ok(api.post(
                "/v1/reserve/batch",
                "{\"requests\":["
                        + item("mb-1", key) + "," + item("mb-2", key) + "," + item("mb-3", key) + ","
                        + item("mb-4", "global:llm:metrics:batch:never") + "," + item("mb:bad", key) + "]}"));

        String metrics = scrape();
        assertEquals(2, value(metrics, "ratelimiter_admissions_total", "key=\"" + key + "\",outcome=\"allowed\""));
        assertEquals(1, value(metrics, "ratelimiter_admissions_total", "key=\"" + key + "\",outcome=\"denied\""));
        assertEquals(
                unknownBefore + 1,
                value(metrics, "ratelimiter_admissions_total", "key=\"unknown key\",outcome=\"denied\""));
        assertEquals(
                invalidBefore + 1, value(metrics, "ratelimiter_batch_invalid_items_total", "operation=\"reserve\""));
    }

    private static String item(String leaseId, String key) {
        return "{\"lease_id\":\"" + leaseId + "\",\"requirements\":[{\"key\":\"" + key + "\",\"amount\":1}]}";
    }

    @Test
    void aRegisteredKeyNamedUnknownKeepsItsOwnSeries() {
        api.putLimit(LimitDefinition.rolling("unknown", 10, 3600));
        double unregisteredBefore =
                value(scrape(), "ratelimiter_admissions_total", "key=\"unknown key\",outcome=\"allowed\"");

        assertTrue(api.reserve("m-named-unknown", "unknown", 1).allowed());

        String metrics = scrape();
        assertEquals(1, value(metrics, "ratelimiter_admissions_total", "key=\"unknown\",outcome=\"allowed\""));
        assertEquals(
                unregisteredBefore,
                value(metrics, "ratelimiter_admissions_total", "key=\"unknown key\",outcome=\"allowed\""));
    }

    @Test
    void publishesLatencyAndBatchSizes() {
        assertTrue(api.reserve("lat-1", KEY, 1).allowed());
        api.complete("lat-1", KEY, 1);
        Api.ok(api.post(
                "/v1/reserve/batch",
                "{\"requests\":["
                        + "{\"lease_id\":\"lat-b1\",\"requirements\":[{\"key\":\"" + KEY + "\",\"amount\":1}]},"
                        + "{\"lease_id\":\"lat-b2\",\"requirements\":[{\"key\":\"" + KEY + "\",\"amount\":1}]},"
                        + "{\"lease_id\":\"lat:bad\",\"requirements\":[{\"key\":\"" + KEY + "\",\"amount\":1}]}]}"));

        String metrics = scrape();

        assertTrue(value(metrics, "ratelimiter_reserve_latency_seconds_count", "mode=\"single\"") >= 1);
        assertTrue(value(metrics, "ratelimiter_reserve_latency_seconds_count", "mode=\"batch\"") >= 1);
        assertTrue(value(metrics, "ratelimiter_complete_latency_seconds_count", "mode=\"single\"") >= 1);
        assertTrue(value(metrics, "ratelimiter_batch_items_bucket", "operation=\"reserve\",le=\"4.0\"") >= 1);
        assertTrue(value(metrics, "ratelimiter_batch_items_sum", "operation=\"reserve\"") >= 3);
        assertTrue(value(metrics, "ratelimiter_batch_invalid_items_total", "operation=\"reserve\"") >= 1);
    }

    @Test
    void showsTheReservedAmountPerKey() {
        String key = "global:llm:metrics:gauge:tpm";
        api.putLimit(LimitDefinition.rolling(key, 1000, 3600));
        assertTrue(api.reserve("gauge-1", key, 250).allowed());

        Api.awaitTrue(
                "the gauge shows 250 reserved",
                Duration.ofSeconds(10),
                () -> value(scrape(), "ratelimiter_reserved", "key=\"" + key + "\"") == 250);
    }

    private String scrape() {
        HttpResponse<String> response = api.get("/prometheus");
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /** The value of the sample {@code name{labels...}}; labels are matched as a substring; 0 when absent. */
    private static double value(String metrics, String name, String labels) {
        Matcher matcher = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE)
                .matcher(metrics);
        while (matcher.find()) {
            if (matcher.group(1).contains(labels)) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return 0;
    }
}
