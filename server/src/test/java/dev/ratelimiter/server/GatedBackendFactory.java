package dev.ratelimiter.server;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.server.config.LimiterSettings;
import dev.ratelimiter.server.config.MemorySettings;
import dev.ratelimiter.server.config.RetrySettings;
import dev.ratelimiter.server.config.TigerBeetleSettings;
import dev.ratelimiter.server.lifecycle.BackendFactory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/** Puts a {@link GatedBackend} around the memory backend when a test sets {@code test.gated-backend=true}. */
@Singleton
@Replaces(BackendFactory.class)
@Requires(property = "test.gated-backend", value = "true")
class GatedBackendFactory extends BackendFactory {
    private volatile GatedBackend backend;

    GatedBackendFactory(LimiterSettings settings, MemorySettings memory, RetrySettings retry,
            TigerBeetleSettings tigerBeetle) {
        super(settings, memory, retry, tigerBeetle);
    }

    @Override
    public Backend create() {
        backend = new GatedBackend(super.create());
        return backend;
    }

    GatedBackend backend() {
        return backend;
    }
}
