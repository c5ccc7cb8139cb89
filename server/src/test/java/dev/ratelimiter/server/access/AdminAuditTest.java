package dev.ratelimiter.server.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class AdminAuditTest {
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:4242", "[::1]:4242", "[fe80::1a2b]:65535"})
    void keepsAForwardedCallerWrittenAsAnAddressAndPort(String header) {
        assertEquals(Optional.of(header), AdminAudit.forwardedFor(header));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "evil\",\"peer\":\"x",
                "10.0.0.1:80 10.0.0.2:80",
                "host.example:8080",
                "1111111111111111111111111111111111111111111111111111111111111111:1"
            })
    void leavesAnythingElseOutOfTheAuditLine(String header) {
        assertEquals(Optional.empty(), AdminAudit.forwardedFor(header));
    }
}
