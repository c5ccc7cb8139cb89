package dev.ratelimiter.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The switch between the bounded version CI runs and the long one. */
class ChaosSettingsTest {

    private static Properties properties(String... keysAndValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    @Test
    void boundedUnlessAskedOtherwise() {
        ChaosSettings settings = ChaosSettings.from(properties(), Map.of());

        assertFalse(settings.longRun());
        assertEquals("bounded", settings.versionName());
        assertEquals(10, settings.killCycles(), "the issue asks for at least 10 kill cycles on every run");
        assertEquals(Optional.empty(), settings.serverJar());
    }

    @Test
    void theSystemPropertyOrTheEnvironmentSelectsTheLongVersion() {
        ChaosSettings byProperty = ChaosSettings.from(properties("chaos.long", "true"), Map.of());
        ChaosSettings byVariable = ChaosSettings.from(properties(), Map.of("CHAOS_LONG", "1"));

        assertTrue(byProperty.longRun());
        assertTrue(byVariable.longRun());
        assertTrue(byProperty.httpStressSeconds()
                > ChaosSettings.from(properties(), Map.of()).httpStressSeconds());
        assertTrue(byProperty.killCycles() >= 100);
        assertFalse(ChaosSettings.from(properties("chaos.long", "false"), Map.of("CHAOS_LONG", "0"))
                .longRun());
    }

    @Test
    void aGivenSeedAndJarAreKept() {
        ChaosSettings settings = ChaosSettings.from(
                properties(
                        "chaos.seed",
                        "42",
                        "chaos.serverJar",
                        "/x/server.jar",
                        "chaos.reportDirectory",
                        "/tmp/reports"),
                Map.of());

        assertEquals(42, settings.seed());
        assertEquals(Optional.of(Path.of("/x/server.jar")), settings.serverJar());
        assertEquals(Path.of("/tmp/reports"), settings.reportDirectory());
    }

    @Test
    void aSeedThatIsNoNumberIsRefusedByName() {
        IllegalArgumentException error = assertThrows(
                IllegalArgumentException.class, () -> ChaosSettings.from(properties("chaos.seed", "abc"), Map.of()));

        assertTrue(error.getMessage().startsWith("chaos.seed:"), error.getMessage());
    }
}
