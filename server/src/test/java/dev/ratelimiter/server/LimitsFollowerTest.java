package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.server.access.AdminAudit;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A server that follows another's limits ({@code ratelimiter.limits-source.url}): it takes the
 * source's definitions within a poll, forwards admin changes there and has them before it answers,
 * relays the source's refusals, derives each key's status from its own holds, seeds nothing, and
 * keeps its limits while the source is down. Both servers run the memory backend here (each keeps
 * its own holds); the TigerBeetle version, where they share the holds, is in the chaos suite.
 */
class LimitsFollowerTest {
    private static final Duration WITHIN_A_FEW_POLLS = Duration.ofSeconds(10);

    @TempDir
    Path directory;

    private TestServer source;
    private TestServer follower;

    @AfterEach
    void stop() {
        if (follower != null) {
            follower.close();
        }
        if (source != null) {
            source.close();
        }
    }

    @Test
    void takesTheSourcesLimitsAndEveryLaterChangeWithinAPoll() {
        source = server("source", Map.of());
        source.api.putLimit(LimitDefinition.rolling("tenant:a:rpm", 3, 60));
        follower = follower(Map.of());

        awaitDefinition(LimitDefinition.rolling("tenant:a:rpm", 3, 60));
        source.api.putLimit(LimitDefinition.concurrency("tenant:a:slots", 2, 30));
        source.api.putLimit(LimitDefinition.rolling("tenant:a:rpm", 5, 60));

        awaitDefinition(LimitDefinition.concurrency("tenant:a:slots", 2, 30));
        awaitDefinition(LimitDefinition.rolling("tenant:a:rpm", 5, 60));
        assertTrue(follower.api.reserve("one", "tenant:a:slots", 1).allowed());
        assertTrue(follower.api.reserve("two", "tenant:a:slots", 1).allowed());
        assertFalse(follower.api.reserve("three", "tenant:a:slots", 1).allowed(), "capacity 2, from the source");
    }

    @Test
    void aChangeSentToTheFollowerIsMadeAtTheSourceAndHoldsHereBeforeTheAnswer() {
        source = server("source", Map.of());
        follower = follower(Map.of());
        LimitDefinition definition = LimitDefinition.rolling("tenant:b:tpm", 1_000, 60);
        ListAppender<ILoggingEvent> audit = new ListAppender<>();
        audit.start();
        Logger auditLogger = (Logger) LoggerFactory.getLogger(AdminAudit.LOGGER);
        auditLogger.addAppender(audit);
        try {
            assertEquals(LimitStatus.ACTIVE, follower.api.putLimit(definition).status());
        } finally {
            auditLogger.detachAppender(audit);
        }

        assertEquals(definition, source.api.limit("tenant:b:tpm").definition(), "made at the source");
        assertEquals(definition, follower.api.limit("tenant:b:tpm").definition(), "and here, at once");
        List<String> lines = audit.list.stream()
                .map(ILoggingEvent::getFormattedMessage)
                .filter(line -> line.contains("\"key\":\"tenant:b:tpm\""))
                .toList();
        assertEquals(2, lines.size(), "one line at the source, one at the follower: " + lines);
        assertTrue(
                lines.stream()
                        .anyMatch(line -> line.matches(
                                ".*\"peer\":\"127\\.0\\.0\\.1:\\d+\",\"forwarded_for\":\"127\\.0\\.0\\.1:\\d+\",.*")),
                "the source names the caller the follower forwarded for: " + lines);
    }

    @Test
    void relaysTheSourcesRefusalAsItIs() {
        source = server("source", Map.of("ratelimiter.admin.token", "source-secret"));
        follower = follower(Map.of("ratelimiter.limits-source.token", "source-secret"));
        String invalid = "{\"key\":\"k\",\"kind\":\"rolling\",\"capacity\":0,\"window_seconds\":60}";

        HttpResponse<String> refused = follower.api.put("/v1/admin/limits", invalid);

        HttpResponse<String> direct = new Api(source.server.getURI(), "source-secret").put("/v1/admin/limits", invalid);
        assertEquals(400, refused.statusCode(), refused.body());
        assertEquals(ErrorCodes.INVALID_REQUEST, follower.api.error(refused).error());
        assertEquals(direct.body(), refused.body());
    }

    @Test
    void aFollowerWithoutTheSourcesTokenSaysWhichSettingToFix() {
        source = server("source", Map.of("ratelimiter.admin.token", "source-secret"));
        follower = follower(Map.of());

        HttpResponse<String> refused = follower.api.put(
                "/v1/admin/limits",
                new String(follower.api.codec().write(LimitDefinition.rolling("k", 1, 60)), StandardCharsets.UTF_8));

        assertEquals(500, refused.statusCode(), refused.body());
        assertEquals(ErrorCodes.BACKEND_ERROR, follower.api.error(refused).error());
        assertTrue(follower.api.error(refused).detail().contains("ratelimiter.limits-source.token"), refused.body());
    }

    @Test
    void eachServerDecreasesWhenItsOwnHoldsFit() {
        source = server("source", Map.of());
        source.api.putLimit(LimitDefinition.concurrency("tenant:c:slots", 4, 3_600));
        follower = follower(Map.of());
        awaitDefinition(LimitDefinition.concurrency("tenant:c:slots", 4, 3_600));
        assertTrue(follower.api.reserve("held-1", "tenant:c:slots", 1).allowed());
        assertTrue(follower.api.reserve("held-2", "tenant:c:slots", 1).allowed());

        source.api.putLimit(LimitDefinition.concurrency("tenant:c:slots", 1, 3_600));
        Api.awaitTrue(
                "the source applied the decrease (it holds nothing)",
                WITHIN_A_FEW_POLLS,
                () -> source.api.limit("tenant:c:slots").status() == LimitStatus.ACTIVE);

        Api.awaitTrue(
                "the follower is decreasing",
                WITHIN_A_FEW_POLLS,
                () -> follower.api.limit("tenant:c:slots").status() == LimitStatus.DECREASING);
        assertEquals(1, follower.api.limit("tenant:c:slots").pendingDecreaseTo());
        follower.api.complete("held-1", "tenant:c:slots", 0);
        follower.api.complete("held-2", "tenant:c:slots", 0);
        Api.awaitTrue(
                "the follower applied the decrease",
                WITHIN_A_FEW_POLLS,
                () -> follower.api.limit("tenant:c:slots").status() == LimitStatus.ACTIVE);
        assertEquals(
                LimitDefinition.concurrency("tenant:c:slots", 1, 3_600),
                follower.api.limit("tenant:c:slots").definition());
    }

    @Test
    void aKeyTheSourceIsStillDecreasingIsDecreasingOnTheFollowerToo() {
        source = server("source", Map.of());
        source.api.putLimit(LimitDefinition.concurrency("tenant:e:slots", 4, 3_600));
        assertTrue(source.api.reserve("held-at-source-1", "tenant:e:slots", 1).allowed());
        assertTrue(source.api.reserve("held-at-source-2", "tenant:e:slots", 1).allowed());
        follower = follower(Map.of());
        awaitDefinition(LimitDefinition.concurrency("tenant:e:slots", 4, 3_600));
        assertTrue(follower.api.reserve("held-here-1", "tenant:e:slots", 1).allowed());
        assertTrue(follower.api.reserve("held-here-2", "tenant:e:slots", 1).allowed());

        assertEquals(
                LimitStatus.DECREASING,
                source.api
                        .putLimit(LimitDefinition.concurrency("tenant:e:slots", 1, 3_600))
                        .status());

        Api.awaitTrue(
                "the follower is decreasing to 1 while the source still is",
                WITHIN_A_FEW_POLLS,
                () -> follower.api.limit("tenant:e:slots").pendingDecreaseTo() == 1);
        assertEquals(
                LimitStatus.DECREASING, follower.api.limit("tenant:e:slots").status());
        assertEquals(LimitStatus.DECREASING, source.api.limit("tenant:e:slots").status());
        assertEquals(
                ErrorCodes.LIMIT_DECREASING_PREFIX + "tenant:e:slots",
                follower.api.reserve("new", "tenant:e:slots", 1).error());
    }

    @Test
    void seedsNothingAndKeepsItsLimitsWhileTheSourceIsDown() {
        source = server("source", Map.of());
        source.api.putLimit(LimitDefinition.rolling("tenant:d:rpm", 2, 60));
        follower = follower(Map.of(
                "ratelimiter.seed-limits-path", Path.of("../config/limits.json").toString()));
        awaitDefinition(LimitDefinition.rolling("tenant:d:rpm", 2, 60));
        assertEquals(
                List.of("tenant:d:rpm"),
                follower.api.codec().readLimits(Api.ok(follower.api.get("/v1/admin/limits"))).stream()
                        .map(info -> info.definition().key())
                        .toList(),
                "the example limits are not seeded on a follower");
        String sourceUrl = source.server.getURI().toString();

        source.close();
        source = null;

        assertTrue(follower.api.reserve("kept", "tenant:d:rpm", 1).allowed());
        HttpResponse<String> change = follower.api.put(
                "/v1/admin/limits",
                new String(
                        follower.api.codec().write(LimitDefinition.rolling("tenant:d:rpm", 9, 60)),
                        StandardCharsets.UTF_8));
        assertEquals(500, change.statusCode(), change.body());
        assertEquals(ErrorCodes.BACKEND_ERROR, follower.api.error(change).error());
        assertTrue(follower.api.error(change).detail().contains(sourceUrl), change.body());
        assertEquals(2, follower.api.limit("tenant:d:rpm").definition().capacity());
    }

    private void awaitDefinition(LimitDefinition expected) {
        Api.awaitTrue("the follower has " + expected, WITHIN_A_FEW_POLLS, () -> {
            HttpResponse<String> response = follower.api.get("/v1/admin/limits/" + expected.key());
            if (response.statusCode() != 200) {
                return false;
            }
            LimitInfo info = follower.api.codec().readLimit(response.body().getBytes(StandardCharsets.UTF_8));
            return info.definition().equals(expected);
        });
    }

    private TestServer follower(Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("ratelimiter.limits-source.url", source.server.getURI().toString());
        all.put("ratelimiter.limits-source.poll-interval-ms", 100);
        return server("follower", all);
    }

    private TestServer server(String name, Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("ratelimiter.memory.journal-path", "");
        all.putIfAbsent("ratelimiter.decrease-check-interval-ms", 50);
        return TestServer.start(directory.resolve(name).resolve("registry.json"), all);
    }
}
