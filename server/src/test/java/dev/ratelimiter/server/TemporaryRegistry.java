package dev.ratelimiter.server;

import io.micronaut.test.support.TestPropertyProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Gives each {@code @MicronautTest} class its own registry file in a fresh temporary directory,
 * with seeding off, so classes never share limits. Test classes implement it and are
 * {@code PER_CLASS}, as Micronaut requires for a {@link TestPropertyProvider}.
 */
public interface TemporaryRegistry extends TestPropertyProvider {

    @Override
    default Map<String, String> getProperties() {
        return Map.of("ratelimiter.registry-path", newRegistryPath().toString(), "ratelimiter.seed-limits-path", "");
    }

    static Path newRegistryPath() {
        try {
            return Files.createTempDirectory("ratelimiterd-test").resolve("registry.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
