package dev.ratelimiter.server.lifecycle;

import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.registry.InvalidRegistryException;
import dev.ratelimiter.core.registry.LimitsFile;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.wire.InvalidRequestException;
import dev.ratelimiter.server.config.LimiterSettings.SeedSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the keys of the seed limits file that the registry does not have yet.
 *
 * <p>The registry is the durable truth: a key it already holds is left exactly as it is, whatever
 * the seed file says, so an admin change survives a restart. New keys go through
 * {@link LimiterService#putLimit}, so they are validated like an admin PUT and saved before the
 * server answers its first request. Stateless and thread-safe.
 */
public final class SeedLoader {
    private static final Logger LOG = LoggerFactory.getLogger(SeedLoader.class);

    private SeedLoader() {}

    /**
     * Seeds {@code service} from {@code source}.
     *
     * @throws StartupFailure when a configured file is missing or unreadable, or an entry breaks a rule
     */
    public static void seed(LimiterService service, SeedSource source) {
        if (!source.enabled()) {
            LOG.info("Seeding is disabled (ratelimiter.seed-limits-path is empty)");
            return;
        }
        Path path = Path.of(source.path());
        if (!Files.exists(path)) {
            if (source.required()) {
                throw new StartupFailure("ratelimiter.seed-limits-path: the seed limits file " + path.toAbsolutePath()
                        + " does not exist");
            }
            LOG.info("No seed limits file at {}; the registry alone defines the limits", path.toAbsolutePath());
            return;
        }
        List<LimitDefinition> definitions = read(path);
        Set<String> existing = new HashSet<>();
        for (LimitState state : service.states()) {
            existing.add(state.key());
        }
        int created = 0;
        for (int i = 0; i < definitions.size(); i++) {
            LimitDefinition definition = definitions.get(i);
            String key = definition.key().strip();
            if (existing.add(key)) {
                create(service, definition, "seed limits file " + path + ", entry " + i + " (key \"" + key + "\")");
                created++;
            }
        }
        LOG.info(
                "Seed limits file {}: {} new keys created, {} already in the registry",
                path,
                created,
                definitions.size() - created);
    }

    private static List<LimitDefinition> read(Path path) {
        try {
            return LimitsFile.read(path);
        } catch (IOException e) {
            throw new StartupFailure("cannot read the seed limits file " + path + ": " + e.getMessage());
        } catch (InvalidRegistryException e) {
            // The message names the file, the entry and the rule already.
            throw new StartupFailure("seed " + e.getMessage());
        }
    }

    private static void create(LimiterService service, LimitDefinition definition, String entry) {
        try {
            service.putLimit(definition);
        } catch (InvalidRequestException e) {
            throw new StartupFailure(entry + ": " + e.detail());
        } catch (BackendException e) {
            if (service.states().stream()
                    .noneMatch(state -> state.key().equals(definition.key().strip()))) {
                throw new StartupFailure(entry + ": could not be saved: " + e.getMessage());
            }
            // The change is durable and the service retries installing it in the backend, as it
            // does for an admin PUT; a backend that is down at start must not stop the server.
            LOG.warn("Seed limit {} is saved but the backend has not applied it yet: {}", entry, e.getMessage());
        }
    }
}
