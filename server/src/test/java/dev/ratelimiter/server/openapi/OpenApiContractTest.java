package dev.ratelimiter.server.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The contract itself, without a server: answers that break the document are caught, so the checks
 * that every other test runs through it can fail.
 */
class OpenApiContractTest {
    private static final Map<String, List<String>> JSON = Map.of("content-type", List.of("application/json"));
    private final OpenApiContract contract = OpenApiContract.shared();

    @Test
    void acceptsAnAnswerThatFollowsTheDocument() {
        contract.check(
                exchange(
                        "POST",
                        "/v1/reserve",
                        200,
                        JSON,
                        "{\"allowed\":false,\"retry_after_ms\":0,\"reserved_at_unix_ms\":0,\"error\":\"exceeds_capacity:a:b\"}"));
    }

    @Test
    void catchesAMissingField() {
        AssertionError error = assertThrows(
                AssertionError.class,
                () -> contract.check(exchange(
                        "POST", "/v1/reserve", 200, JSON, "{\"allowed\":true,\"retry_after_ms\":0,\"error\":\"\"}")));

        assertTrue(error.getMessage().contains("reserved_at_unix_ms"), error.getMessage());
    }

    @Test
    void catchesAnErrorCodeTheDocumentDoesNotList() {
        assertThrows(
                AssertionError.class,
                () -> contract.check(
                        exchange(
                                "POST",
                                "/v1/reserve",
                                200,
                                JSON,
                                "{\"allowed\":false,\"retry_after_ms\":0,\"reserved_at_unix_ms\":0,\"error\":\"exceeds capacity\"}")));
    }

    @Test
    void catchesAStatusTheOperationDoesNotDocument() {
        assertThrows(
                AssertionError.class,
                () -> contract.check(
                        exchange("GET", "/v1/admin/limits", 404, JSON, "{\"error\":\"not_found\",\"detail\":\"x\"}")));
    }

    @Test
    void catchesAWrongContentType() {
        assertThrows(
                AssertionError.class,
                () -> contract.check(
                        exchange("GET", "/healthz", 200, Map.of("content-type", List.of("application/json")), "ok")));
    }

    @Test
    void catchesAnUnauthorizedAnswerWithoutItsChallengeHeader() {
        assertThrows(
                AssertionError.class,
                () -> contract.check(exchange(
                        "GET", "/v1/admin/limits", 401, JSON, "{\"error\":\"unauthorized\",\"detail\":\"x\"}")));
    }

    @Test
    void holdsAnswersToPathsWithoutAnOperationToTheErrorBody() {
        contract.check(exchange("GET", "/v2/nothing", 404, JSON, "{\"error\":\"not_found\",\"detail\":\"x\"}"));

        assertThrows(AssertionError.class, () -> contract.check(exchange("GET", "/v2/nothing", 200, JSON, "{}")));
        assertThrows(
                AssertionError.class,
                () -> contract.check(exchange("GET", "/v2/nothing", 404, JSON, "<html>not found</html>")));
        assertThrows(
                AssertionError.class,
                () -> contract.check(exchange(
                        "DELETE", "/v1/reserve", 405, JSON, "{\"error\":\"invalid_request\",\"detail\":\"x\"}")),
                "405 needs an Allow header");
    }

    @Test
    void checksAKeyWithASlashAsItsEncodedForm() {
        assertEquals("/v1/admin/limits/org%2Fmodel:rpm", OpenApiContract.normalise("/v1/admin/limits/org/model:rpm"));
        assertEquals("/v1/admin/limits", OpenApiContract.normalise("/v1/admin/limits"));
    }

    @Test
    void documentsEveryOperationWithAtLeastItsSuccess() {
        assertTrue(contract.documented().contains("POST /v1/reserve 200"));
        assertTrue(contract.documented().contains("GET /v1/admin/activity 200"));
        assertTrue(contract.documented().contains("GET /v1/admin/limits/{key} 404"));
    }

    private static OpenApiContract.Exchange exchange(
            String method, String path, int status, Map<String, List<String>> headers, String body) {
        return new OpenApiContract.Exchange(method, path, status, headers, body.getBytes(StandardCharsets.UTF_8));
    }
}
