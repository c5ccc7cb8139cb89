package dev.ratelimiter.server.lifecycle;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.journal.JournalIo;
import dev.ratelimiter.core.journal.JournalSettings;
import dev.ratelimiter.core.memory.MemoryBackend;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.server.config.LimiterSettings;
import dev.ratelimiter.server.config.LimitsSourceSettings;
import dev.ratelimiter.server.config.MemorySettings;
import dev.ratelimiter.server.config.RetrySettings;
import dev.ratelimiter.server.config.TigerBeetleSettings;
import dev.ratelimiter.tigerbeetle.TigerBeetleBackend;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the {@link Backend} named by {@code ratelimiter.backend}. Every backend's settings are
 * checked at start, whichever backend is chosen, so a typo surfaces before it matters.
 *
 * <p>Not final so that tests can replace it with a backend they control. Thread-safe: it keeps no
 * state of its own; {@link #create()} is called once, at start.
 */
@Singleton
public class BackendFactory {
    private static final Logger LOG = LoggerFactory.getLogger(BackendFactory.class);

    private final LimiterSettings settings;
    private final MemorySettings memory;
    private final RetrySettings retry;
    private final TigerBeetleSettings tigerBeetle;
    private final LimitsSourceSettings limitsSource;
    /** The memory backend whose books are being read back; set by {@link #create()}, once. */
    private volatile RecoveringBackend recovering;

    @Inject
    public BackendFactory(
            LimiterSettings settings,
            MemorySettings memory,
            RetrySettings retry,
            TigerBeetleSettings tigerBeetle,
            LimitsSourceSettings limitsSource) {
        this.settings = settings;
        this.memory = memory;
        this.retry = retry;
        this.tigerBeetle = tigerBeetle;
        this.limitsSource = limitsSource;
    }

    /** A factory for a server that follows no other server's limits. */
    public BackendFactory(
            LimiterSettings settings, MemorySettings memory, RetrySettings retry, TigerBeetleSettings tigerBeetle) {
        this(settings, memory, retry, tigerBeetle, LimitsSourceSettings.none());
    }

    /**
     * The backend for this process; the caller owns it and closes it.
     *
     * @throws StartupFailure when the backend name is unknown or the backend cannot be built
     */
    public Backend create() {
        RetryPolicy policy = retry.toPolicy();
        // The TigerBeetle settings were checked when they were bound, whichever backend is chosen: an
        // address the TigerBeetle client would refuse is reported now, not on the day the backend is switched.
        return switch (settings.backend()) {
            case LimiterSettings.MEMORY -> memoryBackend(policy);
            case LimiterSettings.TIGERBEETLE -> tigerBeetleBackend(tigerBeetle, policy);
            // Configuration validation already refuses other names; this keeps the rule of SPEC 11
            // (never fall back to memory) true even if that check is bypassed.
            default ->
                throw new StartupFailure("ratelimiter.backend (RATELIMITER_BACKEND) must be \""
                        + LimiterSettings.MEMORY + "\" or \"" + LimiterSettings.TIGERBEETLE + "\", got \""
                        + settings.backend() + "\"");
        };
    }

    /**
     * The memory backend, with its books read back from the journal unless the journal is off. The
     * journal goes through {@link #journalIo()}, which tests replace to make writes fail.
     *
     * @throws StartupFailure naming the file and byte offset when the journal is damaged, or the
     *     directory when it cannot be opened
     */
    protected Backend memoryBackend(RetryPolicy policy) {
        Clock clock = Clock.system();
        RetryHints hints = new RetryHints(policy, clock);
        Optional<Path> directory = memory.journalDirectory(settings.registryPath());
        if (directory.isEmpty()) {
            LOG.warn("ratelimiter.memory.journal-path is empty: the journal is off and a restart forgets every hold");
            return new MemoryBackend(clock, hints, memory.maxTombstones());
        }
        JournalSettings journalSettings = JournalSettings.of(directory.get()).withFsync(memory.journalFsync());
        JournalIo io = journalIo();
        // The books are read on a thread of their own while the rest of the server starts;
        // awaitBooks() is where the start waits for them.
        RecoveringBackend backend = new RecoveringBackend(
                () -> MemoryBackend.withJournal(clock, hints, memory.maxTombstones(), journalSettings, io));
        recovering = backend;
        return memory.journalWaitOnPool() ? new PoolWaitingBackend(backend) : backend;
    }

    /**
     * Waits until the memory backend's books are read back from its journal (at once for any other
     * backend). The server calls it after its HTTP server has started and before it announces itself.
     *
     * @throws StartupFailure naming the file and byte offset when the journal is damaged
     */
    public void awaitBooks() {
        RecoveringBackend backend = recovering;
        if (backend != null) {
            backend.awaitRecovered();
        }
    }

    /** Where the journal's bytes go: the file system; tests return a seam that fails on demand. */
    protected JournalIo journalIo() {
        return JournalIo.files();
    }

    /**
     * The TigerBeetle backend (SPEC 5.2), built from {@code ratelimiter.tigerbeetle.*}. It returns at
     * once also when no replica answers: the service then retries installing the registry's limits,
     * reserves answer {@code backend_error} within the request timeout, and /healthz says 503. A
     * server that follows another's limits ({@code ratelimiter.limits-source.url}) leaves the
     * capacity balances to that one ({@link TigerBeetleBackend.CapacityRole#FOLLOWS}).
     *
     * @throws StartupFailure when the settings are refused or the TigerBeetle client cannot load
     */
    protected Backend tigerBeetleBackend(TigerBeetleSettings tigerBeetleSettings, RetryPolicy policy) {
        dev.ratelimiter.tigerbeetle.TigerBeetleSettings backendSettings = tigerBeetleSettings.toBackendSettings();
        Clock clock = Clock.system();
        try {
            TigerBeetleBackend.CapacityRole role = limitsSource.follows()
                    ? TigerBeetleBackend.CapacityRole.FOLLOWS
                    : TigerBeetleBackend.CapacityRole.MOVES;
            return TigerBeetleBackend.connect(backendSettings, new RetryHints(policy, clock), clock, role);
        } catch (IllegalArgumentException e) {
            throw new StartupFailure("ratelimiter.tigerbeetle: " + e.getMessage());
        } catch (LinkageError e) {
            // The client is a JNI library with builds for a few platforms only; without one the
            // backend cannot exist, and falling back to memory is forbidden (SPEC 11).
            throw new StartupFailure("ratelimiter.backend=tigerbeetle: the TigerBeetle client library does not load"
                    + " on this platform (" + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                    + "): " + e);
        }
    }
}
