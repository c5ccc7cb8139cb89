package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ratelimiter.core.model.LimitDefinition;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * docs/grafana-dashboard.json queries only metrics that a running server publishes at /prometheus,
 * so a renamed metric breaks this test rather than an operator's dashboard.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrafanaDashboardTest implements TemporaryRegistry {
    private static final Path DASHBOARD = Path.of("..", "docs", "grafana-dashboard.json");
    private static final Set<String> PROMQL_WORDS = Set.of(
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "bool",
            "and",
            "or",
            "unless",
            "offset",
            "inf",
            "nan");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");

    @Inject
    EmbeddedServer server;

    @Test
    void queriesOnlyMetricsThatTheServerPublishes() throws IOException {
        Set<String> queried = metricsQueriedBy(new ObjectMapper().readTree(Files.readAllBytes(DASHBOARD)));
        assertTrue(
                queried.containsAll(Set.of(
                        "ratelimiter_admissions_total",
                        "ratelimiter_reserve_latency_seconds_bucket",
                        "ratelimiter_reserved",
                        "ratelimiter_batch_items_bucket")),
                "the dashboard charts admissions, latency, reserved amounts and batch sizes: " + queried);

        Set<String> published = metricsPublishedAfterTraffic();

        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(published);
        assertEquals(Set.of(), missing, "queried by docs/grafana-dashboard.json but absent from /prometheus");
    }

    @Test
    void findsTheMetricNamesOfAQuery() {
        assertEquals(
                Set.of("a_bucket", "b_total", "c"),
                metricNames(
                        "histogram_quantile(0.99, sum by (le, mode)"
                                + " (rate(a_bucket{key=~\"$key\",outcome!=\"x y\"}[$__rate_interval]))) / on (key) b_total + c"));
        assertEquals(
                Set.of("ratelimiter_admissions_total"), metricNames("label_values(ratelimiter_admissions_total, key)"));
    }

    /** Every metric named by a panel's query or a template variable's query. */
    static Set<String> metricsQueriedBy(JsonNode dashboard) {
        Set<String> names = new TreeSet<>();
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.get("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            expressions.add(variable.path("query").path("query").asText());
        }
        assertTrue(expressions.size() >= 10, "the dashboard has its queries: " + expressions);
        expressions.forEach(expression -> names.addAll(metricNames(expression)));
        return names;
    }

    /**
     * The metric names of one PromQL expression: identifiers left after removing strings, label
     * matchers, ranges, grouping clauses, label arguments of label_values, function names and numbers.
     */
    static Set<String> metricNames(String expression) {
        String text = expression
                .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*\\}", " ")
                .replaceAll("\\[[^\\]]*\\]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("label_values\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)\\s*,[^)]*\\)", " $1 ");
        Set<String> names = new TreeSet<>();
        Matcher matcher = IDENTIFIER.matcher(text);
        while (matcher.find()) {
            String word = matcher.group();
            boolean isFunction = text.substring(matcher.end()).stripLeading().startsWith("(");
            boolean isNumberPart = matcher.start() > 0 && Character.isDigit(text.charAt(matcher.start() - 1));
            if (!isFunction && !isNumberPart && !PROMQL_WORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }

    /** Sends one call of each kind, so that every meter exists, then reads the names of /prometheus. */
    private Set<String> metricsPublishedAfterTraffic() {
        Api api = new Api(server.getURI());
        String key = "global:llm:grafana:model:tpm";
        api.putLimit(LimitDefinition.rolling(key, 1000, 60));
        api.reserve("grafana-1", key, 10);
        api.complete("grafana-1", key, 5);
        String reserve = "{\"lease_id\":\"grafana-b1\",\"requirements\":[{\"key\":\"" + key + "\",\"amount\":1}]}";
        Api.ok(api.post("/v1/reserve/batch", "{\"requests\":[" + reserve + "]}"));
        Api.ok(api.post("/v1/complete/batch", "{\"requests\":[{\"lease_id\":\"grafana-b1\"}]}"));

        String metrics = new String(Api.ok(api.get("/prometheus")), StandardCharsets.UTF_8);
        Set<String> names = new TreeSet<>();
        for (String line : metrics.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                Matcher matcher = IDENTIFIER.matcher(line);
                if (matcher.lookingAt()) {
                    names.add(matcher.group());
                }
            }
        }
        return names;
    }
}
