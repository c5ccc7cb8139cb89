package dev.ratelimiter.server;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.server.config.LimiterSettings;
import dev.ratelimiter.server.config.MemorySettings;
import dev.ratelimiter.server.config.RetrySettings;
import dev.ratelimiter.server.config.TigerBeetleSettings;
import dev.ratelimiter.server.lifecycle.BackendFactory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

/**
 * Puts a {@link GatedBackend} around the memory backend when a test sets {@code test.gated-backend=true}.
 * The gated backend says it may block unless the test also sets {@code test.gated-backend-never-blocks=true}.
 */
@Singleton
@Replaces(BackendFactory.class)
@Requires(property = "test.gated-backend", value = "true")
class GatedBackendFactory extends BackendFactory {
    private final boolean neverBlocks;
    private volatile GatedBackend backend;

    GatedBackendFactory(
            LimiterSettings settings,
            MemorySettings memory,
            RetrySettings retry,
            TigerBeetleSettings tigerBeetle,
            @Value("${test.gated-backend-never-blocks:false}") boolean neverBlocks) {
        super(settings, memory, retry, tigerBeetle);
        this.neverBlocks = neverBlocks;
    }

    @Override
    public Backend create() {
        backend = new GatedBackend(super.create(), neverBlocks);
        return backend;
    }

    GatedBackend backend() {
        return backend;
    }
}
