package dev.ratelimiter.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.memory.MemoryBackend;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.registry.InMemoryStore;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.ManualClock;
import dev.ratelimiter.core.wire.BatchItem;
import dev.ratelimiter.core.wire.RequestLimits;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC 2.4: a pending decrease is checked "whenever a hold of the key is released", not only by
 * the periodic loop. The loop here ticks once an hour, so only the check that a complete queues
 * can apply the decrease within the test's deadline. The check runs on the loop's own thread,
 * so the test polls with a deadline.
 */
class DecreaseOnReleaseTest {
    private static final String KEY = "global:llm:test:model:tpm";
    private static final long HOUR_MS = 3_600_000;

    private final ManualClock clock = new ManualClock(1_000_000);
    private LimiterService service;

    @BeforeEach
    void openWithAnHourlyLoop() throws Exception {
        MemoryBackend backend = new MemoryBackend(clock, new RetryHints(RetryPolicy.DEFAULT, clock));
        service = LimiterService.open(backend, new InMemoryStore(), RequestLimits.DEFAULT);
        service.putLimit(LimitDefinition.rolling(KEY, 100, 60));
        service.startDecreaseLoop(HOUR_MS);
    }

    @AfterEach
    void close() {
        service.close();
    }

    @Test
    void completeThatFreesEnoughAppliesThePendingDecrease() {
        reserve("lease-1", 80);
        assertEquals(
                LimitStatus.DECREASING,
                service.putLimit(LimitDefinition.rolling(KEY, 60, 60)).status());

        service.complete(new CompleteRequest("lease-1", "", List.of(new Actual(KEY, 10))));

        assertTrue(awaitStatus(LimitStatus.ACTIVE), "the decrease was not applied after the release");
        assertEquals(60, service.limit(KEY).orElseThrow().definition().capacity());
    }

    @Test
    void batchCompleteAlsoTriggersTheCheck() {
        reserve("lease-2", 80);
        service.putLimit(LimitDefinition.rolling(KEY, 60, 60));

        service.completeBatch(List.of(BatchItem.of(new CompleteRequest("lease-2", "", List.of(new Actual(KEY, 0))))));

        assertTrue(awaitStatus(LimitStatus.ACTIVE), "the decrease was not applied after the batch release");
    }

    @Test
    void releaseThatFreesTooLittleLeavesTheKeyDecreasing() {
        reserve("lease-3", 80);
        service.putLimit(LimitDefinition.rolling(KEY, 60, 60));

        service.complete(new CompleteRequest("lease-3", "", List.of(new Actual(KEY, 79))));

        // 79 of 100 are still held and the decrease needs 40 free: no check may apply it.
        assertEquals(0, service.applyDecreases());
        assertEquals(LimitStatus.DECREASING, service.limit(KEY).orElseThrow().status());
    }

    private void reserve(String leaseId, long amount) {
        assertTrue(service.reserve(new ReserveRequest(leaseId, "", List.of(new Requirement(KEY, amount))))
                .allowed());
    }

    /** Polls for up to 2 s; returns whether the key reached {@code status}. */
    private boolean awaitStatus(LimitStatus status) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (service.limit(KEY).orElseThrow().status() == status) {
                return true;
            }
            LockSupport.parkNanos(1_000_000);
        }
        return false;
    }
}
