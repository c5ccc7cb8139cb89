package dev.ratelimiter.server.lifecycle;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.registry.FileRegistry;
import dev.ratelimiter.core.registry.InvalidRegistryException;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.wire.WireCodec;
import dev.ratelimiter.server.config.LimiterSettings;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the limiter when the application context starts, before the HTTP server listens, so that a
 * bad registry or seed file stops the process instead of serving with half the limits.
 */
@Factory
public final class LimiterServiceFactory {
    private static final Logger LOG = LoggerFactory.getLogger(LimiterServiceFactory.class);

    /** Pool for reserve and complete calls. */
    public static final String ADMISSION_POOL = "admission";
    /** Pool for admin reads and writes, so they never queue behind admission calls. */
    public static final String ADMIN_POOL = "admin";
    /** Pool for /healthz, so a health check never queues behind admin or admission calls. */
    public static final String PROBE_POOL = "probe";

    private static final int ADMIN_THREADS = 4;
    private static final int ADMIN_QUEUE_MAX = 256;
    private static final int PROBE_THREADS = 2;
    private static final int PROBE_QUEUE_MAX = 64;

    /**
     * The limiter: registry loaded, seed applied, decrease loop running. Closed when the context
     * stops, which stops the loop and closes the backend.
     */
    @Context
    @Bean(preDestroy = "close")
    LimiterService limiterService(LimiterSettings settings, BackendFactory backends) {
        Path registry = Path.of(settings.registryPath());
        createParentDirectory(registry);
        Backend backend = backends.create();
        LimiterService service = open(backend, registry, settings);
        try {
            SeedLoader.seed(service, settings.seedSource());
            service.startDecreaseLoop(settings.decreaseCheckIntervalMs());
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        LOG.info("Limiter ready: backend {}, registry {}, {} limits", settings.backend(), registry.toAbsolutePath(),
                service.states().size());
        return service;
    }

    @Singleton
    WireCodec wireCodec() {
        return new WireCodec();
    }

    @Singleton
    @Named(ADMISSION_POOL)
    @Bean(preDestroy = "close")
    WorkerPool admissionPool(LimiterSettings settings) {
        return new WorkerPool(ADMISSION_POOL, settings.admissionThreads(), settings.admissionQueueMax());
    }

    @Singleton
    @Named(ADMIN_POOL)
    @Bean(preDestroy = "close")
    WorkerPool adminPool() {
        return new WorkerPool(ADMIN_POOL, ADMIN_THREADS, ADMIN_QUEUE_MAX);
    }

    @Singleton
    @Named(PROBE_POOL)
    @Bean(preDestroy = "close")
    WorkerPool probePool() {
        return new WorkerPool(PROBE_POOL, PROBE_THREADS, PROBE_QUEUE_MAX);
    }

    private static LimiterService open(Backend backend, Path registry, LimiterSettings settings) {
        try {
            return LimiterService.open(backend, new FileRegistry(registry), settings.requestLimits());
        } catch (IOException e) {
            backend.close();
            throw new StartupFailure("cannot read the registry " + registry.toAbsolutePath() + " (ratelimiter.registry-path): "
                    + e.getMessage());
        } catch (InvalidRegistryException e) {
            // The message names the file, the entry and the rule already.
            backend.close();
            throw new StartupFailure(e.getMessage());
        }
    }

    private static void createParentDirectory(Path registry) {
        Path parent = registry.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new StartupFailure("ratelimiter.registry-path: cannot create the directory " + parent + " of the registry: "
                    + e.getMessage());
        }
    }
}
