package dev.ratelimiter.server.lifecycle;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.memory.MemoryBackend;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.server.config.LimiterSettings;
import dev.ratelimiter.server.config.MemorySettings;
import dev.ratelimiter.server.config.RetrySettings;
import dev.ratelimiter.server.config.TigerBeetleSettings;
import jakarta.inject.Singleton;

/**
 * Builds the {@link Backend} named by {@code ratelimiter.backend}. Every backend's settings are
 * checked at start, whichever backend is chosen, so a typo surfaces before it matters.
 *
 * <p>Not final so that tests can replace it with a backend they control. Thread-safe: it keeps no
 * state of its own; {@link #create()} is called once, at start.
 */
@Singleton
public class BackendFactory {
    private final LimiterSettings settings;
    private final MemorySettings memory;
    private final RetrySettings retry;
    private final TigerBeetleSettings tigerBeetle;

    public BackendFactory(LimiterSettings settings, MemorySettings memory, RetrySettings retry,
            TigerBeetleSettings tigerBeetle) {
        this.settings = settings;
        this.memory = memory;
        this.retry = retry;
        this.tigerBeetle = tigerBeetle;
    }

    /**
     * The backend for this process; the caller owns it and closes it.
     *
     * @throws StartupFailure when the backend name is unknown or the backend cannot be built
     */
    public Backend create() {
        RetryPolicy policy = retry.toPolicy();
        return switch (settings.backend()) {
            case LimiterSettings.MEMORY -> memoryBackend(policy);
            case LimiterSettings.TIGERBEETLE -> tigerBeetleBackend(tigerBeetle, policy);
            // Configuration validation already refuses other names; this keeps the rule of SPEC 11
            // (never fall back to memory) true even if that check is bypassed.
            default -> throw new StartupFailure("ratelimiter.backend (RATELIMITER_BACKEND) must be \""
                    + LimiterSettings.MEMORY + "\" or \"" + LimiterSettings.TIGERBEETLE + "\", got \""
                    + settings.backend() + "\"");
        };
    }

    protected Backend memoryBackend(RetryPolicy policy) {
        Clock clock = Clock.system();
        return new MemoryBackend(clock, new RetryHints(policy, clock), memory.maxTombstones());
    }

    /**
     * The TigerBeetle backend (SPEC 5.2), built from {@code ratelimiter.tigerbeetle.*}. The module
     * ratelimiter-tigerbeetle does not provide a backend class in this build yet, so choosing it
     * stops the server with a message saying so rather than starting on something else.
     */
    protected Backend tigerBeetleBackend(TigerBeetleSettings tigerBeetleSettings, RetryPolicy policy) {
        throw new StartupFailure("ratelimiter.backend=tigerbeetle: the TigerBeetle backend is not available in"
                + " this build of ratelimiterd; use ratelimiter.backend=memory");
    }
}
