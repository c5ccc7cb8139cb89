package dev.ratelimiter.server.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.journal.JournalDamagedException;
import dev.ratelimiter.core.memory.MemoryBackend;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.ManualClock;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The backend whose books are read while the server starts: nothing reaches it before they are back. */
class RecoveringBackendTest {
    private static final LimitDefinition RPM = LimitDefinition.rolling("rpm", 5, 60);

    @Test
    void queuesInstallsAndAnswersEventLoopCallsOnceTheBooksAreBack() throws Exception {
        ManualClock clock = new ManualClock(1_700_000_000_000L);
        CountDownLatch booksRead = new CountDownLatch(1);
        RecoveringBackend backend = new RecoveringBackend(() -> {
            // Stands for reading a large journal; bounded so a broken test cannot hang.
            try {
                assertTrue(booksRead.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException("interrupted");
            }
            return new MemoryBackend(clock, new RetryHints(RetryPolicy.DEFAULT, clock));
        });
        try {
            backend.install(LimitState.created(RPM));
            CompletableFuture<ReserveResponse> early =
                    backend.reserveAsync(new ReserveRequest("early", "", List.of(new Requirement(RPM.key(), 5))));

            assertFalse(early.isDone(), "answered only once the books are back");
            assertFalse(backend.isHealthy());
            assertFalse(backend.tryApplyDecrease(RPM.key()));

            booksRead.countDown();
            backend.awaitRecovered();

            assertTrue(early.get(10, TimeUnit.SECONDS).allowed(), "the queued install came first");
            assertTrue(backend.isHealthy());
            assertEquals(5, backend.usage(RPM.key()).reserved());
        } finally {
            booksRead.countDown();
            backend.close();
        }
    }

    @Test
    void damageIsAStartupFailureNamingTheFileAndOffset() {
        RecoveringBackend backend = new RecoveringBackend(() -> {
            throw new JournalDamagedException(Path.of("journal-0000000000000001.log"), 20, "record checksum mismatch");
        });

        StartupFailure failure = assertThrows(StartupFailure.class, backend::awaitRecovered);

        assertTrue(
                failure.getMessage().contains("journal-0000000000000001.log is damaged at byte offset 20"),
                failure.getMessage());
        assertTrue(backend.reserveAsync(new ReserveRequest("x", "", List.of(new Requirement(RPM.key(), 1))))
                .isCompletedExceptionally());
    }
}
