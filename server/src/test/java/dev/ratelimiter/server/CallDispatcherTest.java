package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.memory.MemoryBackend;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.ManualClock;
import dev.ratelimiter.core.wire.InvalidRequestException;
import dev.ratelimiter.server.config.LimiterSettings;
import dev.ratelimiter.server.lifecycle.CallDispatcher;
import dev.ratelimiter.server.lifecycle.LimiterServiceFactory;
import dev.ratelimiter.server.lifecycle.WorkerPool;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dispatcher's choice between the calling thread and the pool, and how each path reports a failure. */
class CallDispatcherTest {
    private static final int LIMIT = 100;

    private final WorkerPool pool = new WorkerPool("test", 1, 1);

    @AfterEach
    void closePool() {
        pool.close();
    }

    @Test
    void runsBodiesUpToTheLimitOnTheCallingThreadWhenTheBackendNeverBlocks() throws Exception {
        CallDispatcher dispatcher = new CallDispatcher(pool, true, LIMIT);

        CompletableFuture<Thread> atLimit = dispatcher.dispatch(LIMIT, Thread::currentThread);
        CompletableFuture<Thread> overLimit = dispatcher.dispatch(LIMIT + 1, Thread::currentThread);

        assertSame(Thread.currentThread(), atLimit.getNow(null));
        assertTrue(overLimit.get(10, TimeUnit.SECONDS).getName().startsWith("ratelimiter-test-"));
    }

    @Test
    void sendsEveryCallToThePoolWhenTheBackendMayBlockOrTheLimitIsZero() {
        assertFalse(new CallDispatcher(pool, false, LIMIT).runsInline(0));
        assertFalse(new CallDispatcher(pool, true, 0).runsInline(0));
        assertTrue(new CallDispatcher(pool, true, LIMIT).runsInline(0));
    }

    /** The controllers hand both paths to Micronaut the same way: a failure is a failed future, never a throw. */
    @Test
    void failsTheFutureWhenACallOnTheCallingThreadFails() {
        CallDispatcher dispatcher = new CallDispatcher(pool, true, LIMIT);

        CompletableFuture<String> answer = dispatcher.dispatch(1, () -> {
            throw new InvalidRequestException("lease_id: must not be empty");
        });

        ExecutionException failure = assertThrows(ExecutionException.class, answer::get);
        assertEquals(InvalidRequestException.class, failure.getCause().getClass());
    }

    /** Large bodies still go through the pool's bound: a full pool fails the call at once. */
    @Test
    void failsAtOnceWhenThePoolIsFull() throws Exception {
        CallDispatcher dispatcher = new CallDispatcher(pool, true, LIMIT);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<Boolean> busy = dispatcher.dispatch(LIMIT + 1, () -> {
            running.countDown();
            return await(release);
        });
        assertTrue(running.await(10, TimeUnit.SECONDS), "the pool's one thread is busy");
        CompletableFuture<Boolean> queued = dispatcher.dispatch(LIMIT + 1, () -> true);

        CompletableFuture<Boolean> rejected = dispatcher.dispatch(LIMIT + 1, () -> true);

        ExecutionException failure = assertThrows(ExecutionException.class, () -> rejected.get(10, TimeUnit.SECONDS));
        assertEquals(WorkerPool.PoolSaturatedException.class, failure.getCause().getClass());
        release.countDown();
        assertTrue(busy.get(10, TimeUnit.SECONDS));
        assertTrue(queued.get(10, TimeUnit.SECONDS));
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void theAdmissionPoolOfABackendThatNeverBlocksHasAtMostOneThreadPerCore() {
        LimiterSettings settings =
                new LimiterSettings("memory", "r.json", null, 200, 32, 256, 1_048_576, 64, 4096, 16_384, 1000, 15_000);
        ManualClock clock = new ManualClock(0);
        try (MemoryBackend memory = new MemoryBackend(clock, new RetryHints(RetryPolicy.DEFAULT, clock));
                GatedBackend mayBlock = new GatedBackend(memory, false)) {
            assertEquals(2, LimiterServiceFactory.admissionThreads(settings, memory, 2));
            assertEquals(64, LimiterServiceFactory.admissionThreads(settings, mayBlock, 2));
            LimiterSettings fewThreads = new LimiterSettings(
                    "memory", "r.json", null, 200, 32, 256, 1_048_576, 1, 4096, 16_384, 1000, 15_000);
            assertEquals(1, LimiterServiceFactory.admissionThreads(fewThreads, memory, 8));
        }
    }
}
