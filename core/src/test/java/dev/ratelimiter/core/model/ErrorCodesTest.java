package dev.ratelimiter.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one translation between refusals and the wire's error strings (SPEC 3). */
class ErrorCodesTest {
    @Test
    void everyRefusalRoundTripsThroughItsWireString() {
        List<Refusal> all = List.of(
                Refusal.INVALID_REQUEST,
                Refusal.BACKEND_ERROR,
                new Refusal.UnknownLimitKey("tenant:acme:rpm"),
                new Refusal.LimitDecreasing("k"),
                new Refusal.ExceedsCapacity("a:b:c"),
                new Refusal.LeaseExpired("01J0000000000000000000000A"),
                new Refusal.Unrecognized("quota_exhausted:x"));
        for (Refusal refusal : all) {
            assertEquals(refusal, ErrorCodes.refusal(ErrorCodes.wire(refusal)), () -> "round trip of " + refusal);
        }
    }

    @Test
    void wireStringsAreThoseOfTheSpec() {
        assertEquals("", ErrorCodes.wire(null));
        assertEquals("invalid_request", ErrorCodes.wire(Refusal.INVALID_REQUEST));
        assertEquals("backend_error", ErrorCodes.wire(Refusal.BACKEND_ERROR));
        assertEquals("unknown_limit_key:k", ErrorCodes.wire(new Refusal.UnknownLimitKey("k")));
        assertEquals("limit_decreasing:k", ErrorCodes.wire(new Refusal.LimitDecreasing("k")));
        assertEquals("exceeds_capacity:k", ErrorCodes.wire(new Refusal.ExceedsCapacity("k")));
        assertEquals("lease_expired:l", ErrorCodes.wire(new Refusal.LeaseExpired("l")));
    }

    @Test
    void anEmptyErrorIsNoRefusalAndAPrefixWithoutASubjectIsUnrecognized() {
        assertNull(ErrorCodes.refusal(""));
        assertEquals(new Refusal.Unrecognized("lease_expired:"), ErrorCodes.refusal("lease_expired:"));
        assertEquals(new Refusal.Unrecognized("Backend_Error"), ErrorCodes.refusal("Backend_Error"));
    }

    @Test
    void aKeyMayContainColons() {
        assertEquals(
                new Refusal.ExceedsCapacity("global:llm:openai:gpt-4o:tpm"),
                ErrorCodes.refusal("exceeds_capacity:global:llm:openai:gpt-4o:tpm"));
    }
}
