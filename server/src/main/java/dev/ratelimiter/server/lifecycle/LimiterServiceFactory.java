package dev.ratelimiter.server.lifecycle;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.registry.FileRegistry;
import dev.ratelimiter.core.registry.InvalidRegistryException;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.wire.WireCodec;
import dev.ratelimiter.server.config.LimiterSettings;
import dev.ratelimiter.server.config.LimitsSourceSettings;
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
 * bad registry or seed file stops the process instead of serving with half the limits; and builds
 * the worker pools and the {@link CallDispatcher}s that decide, per call, between the event loop and
 * a pool.
 */
@Factory
public final class LimiterServiceFactory {
    private static final Logger LOG = LoggerFactory.getLogger(LimiterServiceFactory.class);

    /** Pool (and dispatcher) for reserve and complete calls. */
    public static final String ADMISSION_POOL = "admission";
    /** Pool for admin reads and writes, so they never queue behind admission calls. */
    public static final String ADMIN_POOL = "admin";
    /** Pool (and dispatcher) for /healthz, so a health check never queues behind admin or admission calls. */
    public static final String PROBE_POOL = "probe";

    private static final int ADMIN_THREADS = 4;
    private static final int ADMIN_QUEUE_MAX = 256;
    private static final int PROBE_THREADS = 2;
    private static final int PROBE_QUEUE_MAX = 64;

    /**
     * The backend of this process. A bean only so that the dispatchers can ask it
     * {@link Backend#neverBlocks()}; nothing else calls it directly. The {@link LimiterService} owns it
     * and closes it, after its decrease loop stops. The context does not: Micronaut stops a bean only
     * through a pre-destroy method or its {@code LifeCycle} interface, and this one has neither, so the
     * backend is closed once.
     */
    @Singleton
    Backend backend(BackendFactory backends) {
        return backends.create();
    }

    /**
     * The limiter: registry loaded, seed applied, decrease loop running. Closed when the context
     * stops, which stops the loop and closes the backend.
     */
    @Context
    @Bean(preDestroy = "close")
    LimiterService limiterService(LimiterSettings settings, LimitsSourceSettings limitsSource, Backend backend) {
        Path registry = Path.of(settings.registryPath());
        try {
            createParentDirectory(registry);
        } catch (StartupFailure e) {
            backend.close();
            throw e;
        }
        LimiterService service = open(backend, registry, settings);
        try {
            if (limitsSource.follows()) {
                LOG.info(
                        "Seeding skipped: this server follows the limits of {} ({})",
                        limitsSource.url().orElseThrow(),
                        LimitsSourceSettings.URL);
            } else {
                SeedLoader.seed(service, settings.seedSource());
            }
            service.startDecreaseLoop(settings.decreaseCheckIntervalMs());
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        LOG.info(
                "Limiter ready: backend {}, registry {}, {} limits; {}",
                settings.backend(),
                registry.toAbsolutePath(),
                service.states().size(),
                describeThreads(backend, settings));
        return service;
    }

    @Singleton
    @Named(ADMISSION_POOL)
    CallDispatcher admissionDispatcher(
            Backend backend, LimiterSettings settings, @Named(ADMISSION_POOL) WorkerPool pool) {
        return new CallDispatcher(pool, backend.neverBlocks(), settings.inlineBodyBytesMax());
    }

    /** /healthz has no body, so it runs on the event loop exactly when the admission calls with the smallest bodies do. */
    @Singleton
    @Named(PROBE_POOL)
    CallDispatcher probeDispatcher(Backend backend, LimiterSettings settings, @Named(PROBE_POOL) WorkerPool pool) {
        return new CallDispatcher(pool, backend.neverBlocks(), settings.inlineBodyBytesMax());
    }

    @Singleton
    WireCodec wireCodec() {
        return new WireCodec();
    }

    @Singleton
    @Named(ADMISSION_POOL)
    @Bean(preDestroy = "close")
    WorkerPool admissionPool(LimiterSettings settings, Backend backend) {
        return new WorkerPool(
                ADMISSION_POOL,
                admissionThreads(settings, backend, Runtime.getRuntime().availableProcessors()),
                settings.admissionQueueMax());
    }

    /**
     * The admission pool's size: as configured for a backend that may block, whose threads spend
     * their time waiting for I/O; at most one per core for a backend that never blocks, whose calls
     * are pure CPU work. More threads than cores gain nothing there and hurt: a thread preempted
     * while it holds a hot key's lock stalls every other call on that key (the HTTP batch benchmark
     * spent most of its backend time so).
     */
    public static int admissionThreads(LimiterSettings settings, Backend backend, int cores) {
        return backend.neverBlocks()
                ? Math.max(1, Math.min(settings.admissionThreads(), cores))
                : settings.admissionThreads();
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
            throw new StartupFailure("cannot read the registry " + registry.toAbsolutePath()
                    + " (ratelimiter.registry-path): " + e.getMessage());
        } catch (InvalidRegistryException e) {
            // The message names the file, the entry and the rule already.
            backend.close();
            throw new StartupFailure(e.getMessage());
        }
    }

    private static String describeThreads(Backend backend, LimiterSettings settings) {
        if (!backend.neverBlocks()) {
            return "admission calls and /healthz run on worker pools (the backend may block)";
        }
        if (settings.inlineBodyBytesMax() == 0) {
            return "admission calls and /healthz run on worker pools (ratelimiter.inline-body-bytes-max=0)";
        }
        return "calls with bodies up to " + settings.inlineBodyBytesMax()
                + " bytes run on the event loop (the backend never blocks), larger ones on the admission pool of "
                + admissionThreads(settings, backend, Runtime.getRuntime().availableProcessors())
                + " threads (one per core at most)";
    }

    private static void createParentDirectory(Path registry) {
        Path parent = registry.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new StartupFailure("ratelimiter.registry-path: cannot create the directory " + parent
                    + " of the registry: " + e.getMessage());
        }
    }
}
