package dev.ratelimiter.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LimitsSourceSettingsTest {
    @Test
    void anEmptyUrlMeansThisServerFollowsNone() {
        LimitsSourceSettings settings = new LimitsSourceSettings("  ", "", 1_000, 2_000);

        assertFalse(settings.follows());
        assertEquals(Optional.empty(), settings.token());
    }

    @ParameterizedTest
    @CsvSource({
        "http://10.0.0.5:8080, http://10.0.0.5:8080",
        "http://10.0.0.5:8080/, http://10.0.0.5:8080",
        "HTTPS://limits.example:8443/base//, https://limits.example:8443/base",
    })
    void keepsABaseUrlToAppendTheApiTo(String configured, String expected) {
        assertEquals(Optional.of(URI.create(expected)), new LimitsSourceSettings(configured, null, 1_000, 2_000).url());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "ftp://10.0.0.5| must start with http:// or https://",
                "10.0.0.5:8080| must be a URL such as http://10.0.0.5:8080",
                "http://| must be a URL",
                "http://h:8080/?x=1| without user, query or fragment",
                "http://user:pw@h:8080| without user, query or fragment",
                "http://h 8080| must be a URL",
            })
    void refusesAnythingButAnHttpBaseUrlAndSaysWhy(String configured, String reason) {
        InvalidSettingException e = assertThrows(
                InvalidSettingException.class, () -> new LimitsSourceSettings(configured, null, 1_000, 2_000));

        assertTrue(e.getMessage().startsWith("ratelimiter.limits-source.url"), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void boundsThePollIntervalAndTheTimeout() {
        InvalidSettingException poll = assertThrows(
                InvalidSettingException.class, () -> new LimitsSourceSettings("http://h", null, 10, 2_000));
        InvalidSettingException timeout =
                assertThrows(InvalidSettingException.class, () -> new LimitsSourceSettings("http://h", null, 1_000, 0));

        assertTrue(poll.getMessage().startsWith("ratelimiter.limits-source.poll-interval-ms"), poll.getMessage());
        assertTrue(timeout.getMessage().startsWith("ratelimiter.limits-source.timeout-ms"), timeout.getMessage());
    }

    @Test
    void neverShowsTheToken() {
        LimitsSourceSettings settings = new LimitsSourceSettings("http://h:1", " secret-value ", 1_000, 2_000);

        assertEquals(Optional.of("secret-value"), settings.token());
        assertFalse(settings.toString().contains("secret-value"), settings.toString());
        InvalidSettingException e = assertThrows(
                InvalidSettingException.class, () -> new LimitsSourceSettings("http://h:1", "two words", 1_000, 2_000));
        assertFalse(e.getMessage().contains("two words"), e.getMessage());
    }
}
