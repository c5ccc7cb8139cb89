package dev.ratelimiter.server.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.server.access.AccessRule.Allowed;
import dev.ratelimiter.server.access.AccessRule.Area;
import dev.ratelimiter.server.access.AccessRule.Refused;
import dev.ratelimiter.server.access.AccessRule.Verdict;
import dev.ratelimiter.server.config.AccessSettings;
import dev.ratelimiter.server.config.InvalidSettingException;
import io.micronaut.http.HttpStatus;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The access rules of SPEC 3 decided for any peer address, without a server. */
class AccessRuleTest {
    private static final String ADMIN_TOKEN = "admin-secret-0123456789";
    private static final String API_TOKEN = "api-secret-9876543210";
    private static final InetAddress LOOPBACK_V4 = address("127.0.0.1");
    private static final InetAddress OTHER_LOOPBACK_V4 = address("127.0.0.2");
    private static final InetAddress LOOPBACK_V6 = address("::1");
    private static final InetAddress REMOTE = address("192.0.2.10");
    private static final InetAddress REMOTE_V6 = address("2001:db8::1");

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Refused refused(Verdict verdict) {
        return assertInstanceOf(Refused.class, verdict);
    }

    @Nested
    class WithoutAnyToken {
        private final AccessRule rule = new AccessRule(new AccessSettings(null, " "));

        @Test
        void servesAdminCallsToEveryLoopbackPeer() {
            for (InetAddress peer : new InetAddress[] {LOOPBACK_V4, OTHER_LOOPBACK_V4, LOOPBACK_V6}) {
                assertInstanceOf(Allowed.class, rule.check(Area.ADMIN, peer, null), peer.toString());
            }
        }

        @Test
        void forbidsAdminCallsFromOtherPeersAndNamesTheSettingThatOpensThem() {
            for (InetAddress peer : new InetAddress[] {REMOTE, REMOTE_V6}) {
                Refused refusal = refused(rule.check(Area.ADMIN, peer, "Bearer anything"));

                assertEquals(HttpStatus.FORBIDDEN, refusal.status());
                assertEquals("forbidden", refusal.error());
                assertTrue(
                        refusal.detail().contains("ratelimiter.admin.token (RATELIMITER_ADMIN_TOKEN) is not set"),
                        refusal.detail());
            }
        }

        @Test
        void leavesReserveCompleteHealthAndMetricsOpenToEveryPeer() {
            assertInstanceOf(Allowed.class, rule.check(Area.API, REMOTE, null));
            assertInstanceOf(Allowed.class, rule.check(Area.OPEN, REMOTE, null));
        }
    }

    @Nested
    class WithBothTokens {
        private final AccessRule rule = new AccessRule(new AccessSettings(" " + ADMIN_TOKEN + " ", API_TOKEN));

        @Test
        void servesAdminCallsWithTheTokenFromAnyPeer() {
            assertInstanceOf(Allowed.class, rule.check(Area.ADMIN, REMOTE, "Bearer " + ADMIN_TOKEN));
            assertInstanceOf(Allowed.class, rule.check(Area.ADMIN, LOOPBACK_V4, "bearer " + ADMIN_TOKEN));
        }

        @Test
        void refusesAdminCallsWithoutTheTokenEvenFromLoopback() {
            Refused refusal = refused(rule.check(Area.ADMIN, LOOPBACK_V4, null));

            assertEquals(HttpStatus.UNAUTHORIZED, refusal.status());
            assertEquals("unauthorized", refusal.error());
            assertTrue(refusal.detail().contains("ratelimiter.admin.token"), refusal.detail());
        }

        @Test
        void refusesAWrongTokenAnotherSchemeAndAnEmptyToken() {
            for (String header : new String[] {
                "Bearer " + ADMIN_TOKEN + "x",
                "Bearer " + API_TOKEN,
                "Basic " + ADMIN_TOKEN,
                "Bearer ",
                "Bearer",
                ADMIN_TOKEN
            }) {
                Refused refusal = refused(rule.check(Area.ADMIN, LOOPBACK_V4, header));

                assertEquals("unauthorized", refusal.error(), header);
                assertFalse(refusal.detail().contains(ADMIN_TOKEN), "the detail never shows a token");
                assertFalse(refusal.detail().contains(API_TOKEN), "the detail never shows a token");
            }
        }

        @Test
        void reserveAndCompleteNeedTheApiTokenAndNotTheAdminToken() {
            assertInstanceOf(Allowed.class, rule.check(Area.API, REMOTE, "Bearer " + API_TOKEN));
            Refused missing = refused(rule.check(Area.API, LOOPBACK_V4, null));
            Refused adminTokenInstead = refused(rule.check(Area.API, LOOPBACK_V4, "Bearer " + ADMIN_TOKEN));

            assertEquals("unauthorized", missing.error());
            assertTrue(missing.detail().contains("ratelimiter.api.token"), missing.detail());
            assertEquals("unauthorized", adminTokenInstead.error());
        }

        @Test
        void leavesHealthAndMetricsOpen() {
            assertInstanceOf(Allowed.class, rule.check(Area.OPEN, REMOTE, null));
        }
    }

    @Nested
    class Settings {
        @Test
        void refusesATokenAHeaderCannotCarryWithoutShowingIt() {
            InvalidSettingException e =
                    assertThrows(InvalidSettingException.class, () -> new AccessSettings("hunter2 xyz", null));

            assertTrue(
                    e.getMessage()
                            .startsWith("ratelimiter.admin.token (RATELIMITER_ADMIN_TOKEN) must hold visible"
                                    + " ASCII characters only"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        }

        @Test
        void neverPrintsATokenInItsDescription() {
            AccessSettings settings = new AccessSettings(ADMIN_TOKEN, API_TOKEN);

            assertEquals("AccessSettings[admin token set, api token set]", settings.toString());
            assertFalse(settings.adminToken().orElseThrow().toString().contains(ADMIN_TOKEN));
        }
    }
}
