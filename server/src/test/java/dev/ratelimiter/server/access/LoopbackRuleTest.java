package dev.ratelimiter.server.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.server.Api;
import dev.ratelimiter.server.TemporaryRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A server without an admin token (the default): admin calls from this machine are served, admin
 * calls from another peer get 403 {@code forbidden} naming the setting, reserve stays open. The other
 * peer is this machine's own non-loopback address (see {@link LocalAddresses}); on a machine that has
 * none, the non-loopback tests are skipped with one line saying so.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoopbackRuleTest implements TemporaryRegistry {
    private static final String DEFINITION =
            "{\"key\":\"loopback:rpm\",\"kind\":\"rolling\",\"capacity\":5," + "\"window_seconds\":60}";

    @Inject
    EmbeddedServer server;

    private Optional<InetAddress> otherPeer;

    @BeforeAll
    void findASecondAddress() {
        otherPeer = LocalAddresses.nonLoopback();
        if (otherPeer.isEmpty()) {
            System.out.println("[access] non-loopback tests skipped: this machine has no non-loopback IPv4 address");
        }
    }

    private InetAddress otherPeer() {
        Assumptions.assumeTrue(otherPeer.isPresent(), "this machine has no non-loopback IPv4 address");
        return otherPeer.get();
    }

    @Test
    void servesAdminCallsFromThisMachine() {
        Api api = new Api(server.getURI());

        assertEquals(200, api.put("/v1/admin/limits", DEFINITION).statusCode());
        assertEquals(200, api.get("/v1/admin/limits").statusCode());
    }

    @Test
    void forbidsAdminCallsFromAnotherPeerAndNamesTheSetting() throws IOException {
        String answer = LocalAddresses.exchange(
                otherPeer(),
                server.getPort(),
                "PUT",
                "/v1/admin/limits",
                "{\"key\":\"loopback:remote\",\"kind\":\"rolling\",\"capacity\":5,\"window_seconds\":60}");

        assertTrue(answer.startsWith("HTTP/1.1 403 "), answer);
        assertTrue(
                answer.contains("{\"error\":\"forbidden\",\"detail\":\"peer: admin calls are served to this machine"
                        + " (loopback) only, because ratelimiter.admin.token (RATELIMITER_ADMIN_TOKEN) is not set"),
                answer);
        assertEquals(
                404,
                new Api(server.getURI()).get("/v1/admin/limits/loopback:remote").statusCode(),
                "the forbidden change was not made");
    }

    @Test
    void forbidsTheActivityOfTheDashboardToAnotherPeer() throws IOException {
        String answer = LocalAddresses.exchange(otherPeer(), server.getPort(), "GET", "/v1/admin/activity", "");

        assertTrue(answer.startsWith("HTTP/1.1 403 "), answer);
        assertTrue(answer.contains("{\"error\":\"forbidden\""), answer);
    }

    @Test
    void servesTheDashboardPageToAnotherPeerBecauseItHoldsNoData() throws IOException {
        String answer = LocalAddresses.exchange(otherPeer(), server.getPort(), "GET", "/", "");

        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        assertTrue(answer.contains("<title>ratelimiterd</title>"), answer);
    }

    @Test
    void leavesReserveOpenToAnotherPeer() throws IOException {
        new Api(server.getURI()).put("/v1/admin/limits", DEFINITION);

        String answer = LocalAddresses.exchange(
                otherPeer(),
                server.getPort(),
                "POST",
                "/v1/reserve",
                "{\"lease_id\":\"remote-1\",\"requirements\":[{\"key\":\"loopback:rpm\",\"amount\":1}]}");

        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        assertTrue(answer.contains("\"allowed\":true"), answer);
    }
}
