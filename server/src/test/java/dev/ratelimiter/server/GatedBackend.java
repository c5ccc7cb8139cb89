package dev.ratelimiter.server;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend whose reserve calls can be held at a gate (a stuck backend) or fail (a backend that is
 * down); it also records whether it was closed while a reserve was still running, and the names of
 * the threads that called reserve and isHealthy. It answers {@link #neverBlocks()} as it was built,
 * so tests can also play a backend that promises never to block. Thread-safe: volatile flags,
 * atomics, latches and a concurrent queue.
 */
final class GatedBackend implements Backend {
    private static final long GATE_WAIT_SECONDS = 30;

    private final Backend delegate;
    private final boolean neverBlocks;
    private final Queue<String> callerThreads = new ConcurrentLinkedQueue<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final Semaphore entered = new Semaphore(0);
    private final AtomicInteger reservesRunning = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger closeCalls = new AtomicInteger();
    private final AtomicBoolean closedWhileReserving = new AtomicBoolean();
    private volatile boolean healthy = true;
    private volatile boolean failing;

    GatedBackend(Backend delegate, boolean neverBlocks) {
        this.delegate = delegate;
        this.neverBlocks = neverBlocks;
    }

    /** The names of the threads that called reserve or isHealthy since the last call of this method, oldest first. */
    List<String> takeCallerThreads() {
        List<String> names = new ArrayList<>();
        for (String name = callerThreads.poll(); name != null; name = callerThreads.poll()) {
            names.add(name);
        }
        return names;
    }

    /** From now on, reserves wait until {@link #open()} (at most 30 s, so a failed test cannot hang). */
    void closeGate() {
        gate = new CountDownLatch(1);
    }

    void open() {
        gate.countDown();
    }

    /** Waits until {@code count} reserves have reached the gate. */
    boolean awaitEntered(int count) throws InterruptedException {
        return entered.tryAcquire(count, GATE_WAIT_SECONDS, TimeUnit.SECONDS);
    }

    void healthy(boolean value) {
        healthy = value;
    }

    /** While failing, reserve and install throw {@link BackendException}, as a backend that is down does. */
    void failing(boolean value) {
        failing = value;
    }

    boolean closed() {
        return closed.get();
    }

    int closeCalls() {
        return closeCalls.get();
    }

    boolean closedWhileReserving() {
        return closedWhileReserving.get();
    }

    @Override
    public ReserveResponse reserve(ReserveRequest request) {
        callerThreads.add(Thread.currentThread().getName());
        reservesRunning.incrementAndGet();
        try {
            entered.release();
            if (!gate.await(GATE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
            }
            if (failing) {
                throw new BackendException("backend down (test)");
            }
            return delegate.reserve(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted at the gate", e);
        } finally {
            reservesRunning.decrementAndGet();
        }
    }

    @Override
    public void install(LimitState state) {
        if (failing) {
            throw new BackendException("backend down (test)");
        }
        delegate.install(state);
    }

    @Override
    public boolean tryApplyDecrease(String key) {
        return delegate.tryApplyDecrease(key);
    }

    @Override
    public CompleteResponse complete(CompleteRequest request) {
        return delegate.complete(request);
    }

    @Override
    public Usage usage(String key) {
        return delegate.usage(key);
    }

    @Override
    public boolean isHealthy() {
        callerThreads.add(Thread.currentThread().getName());
        return healthy;
    }

    @Override
    public boolean neverBlocks() {
        return neverBlocks;
    }

    @Override
    public void close() {
        if (reservesRunning.get() > 0) {
            closedWhileReserving.set(true);
        }
        closed.set(true);
        closeCalls.incrementAndGet();
        delegate.close();
    }
}
