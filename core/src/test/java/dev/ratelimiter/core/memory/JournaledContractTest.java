package dev.ratelimiter.core.memory;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.backend.BackendContractTest;
import dev.ratelimiter.core.journal.JournalIo;
import dev.ratelimiter.core.journal.JournalSettings;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** The shared contract suite on the memory backend with its journal on (fsync included), on a manual clock. */
class JournaledContractTest extends BackendContractTest {
    private static final long START_MILLIS = 1_700_000_000_000L;

    private ManualClock clock;

    @TempDir
    Path directory;

    @Override
    protected Backend createBackend(RetryPolicy retryPolicy) {
        clock = new ManualClock(START_MILLIS);
        try {
            return MemoryBackend.withJournal(
                    clock,
                    new RetryHints(retryPolicy, clock),
                    MemoryBackend.DEFAULT_MAX_TOMBSTONES,
                    JournalSettings.of(directory),
                    JournalIo.files());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void letTimePass(Duration duration) {
        clock.advanceMillis(duration.toMillis());
    }

    @Override
    protected Duration expiryTolerance() {
        return Duration.ZERO;
    }
}
