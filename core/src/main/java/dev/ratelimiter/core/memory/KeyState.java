package dev.ratelimiter.core.memory;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.rules.AdmissionRules;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything the memory backend knows about one limit key.
 *
 * <p>Thread-safety: the lock taken by {@link #lock()} guards every mutable field (definition, status,
 * pendingDecreaseTo, reserved, debt, the hold queue and the holds in it). A reserve over several keys
 * takes their locks in ascending {@link #lockOrder}, so two reserves can never wait on each other in
 * a cycle. Work under the lock is bounded (heap operations and arithmetic, never I/O), which is why
 * callers may block on it without a timeout.
 *
 * <p>Invariant while the lock is free: {@code reserved} equals the sum of the amounts of the held
 * holds in {@code holds}; every held hold has {@code amount >= 1}; {@code reserved} and {@code debt}
 * are never negative. Asserted after every change ({@link #invariantHolds}; tests run with
 * {@code -ea}); summing the holds costs O(holds), so it is done for keys with at most
 * {@link #SUMMED_HOLDS_MAX} holds, which every unit test's keys are.
 */
final class KeyState implements AdmissionRules.KeyView {
    private static final AtomicLong CREATED = new AtomicLong();

    final String key;
    /**
     * This key's place in the order every reserve takes key locks in: any fixed total order
     * prevents a cycle, and comparing two numbers is cheaper than comparing two keys that share a
     * long prefix ({@code global:llm:provider:model:}). Unique per key state, fixed at creation.
     */
    final long lockOrder = CREATED.getAndIncrement();

    private final ReentrantLock lock = new ReentrantLock();

    private LimitDefinition definition;
    private LimitStatus status;
    private long pendingDecreaseTo;
    private long reserved;
    private long debt;
    private final HoldQueue holds = new HoldQueue();

    /**
     * How many times {@link #lock()} retries a held lock, pausing the core briefly each time, before
     * it blocks. Work under the lock is a few hundred nanoseconds at most, so a waiter usually gets
     * it within a few spins, where parking and waking a thread costs microseconds. Bounded, so that
     * a waiter whose holder was descheduled stops burning its core soon.
     */
    static final int SPINS_BEFORE_BLOCKING = 64;

    /** Keys with more holds than this are not summed by {@link #invariantHolds} (it would make tests quadratic). */
    static final int SUMMED_HOLDS_MAX = 512;

    KeyState(LimitState state) {
        this.key = state.key();
        apply(state);
    }

    /**
     * A key restored from the journal before the registry installs it: it has holds and debt but
     * no definition until {@link #apply} (the backend keeps it out of its key map until then).
     */
    KeyState(String key) {
        this.key = key;
    }

    /** Whether the registry has installed this key's definition yet (false only for a restored key). */
    boolean isInstalled() {
        return definition != null;
    }

    /** Takes this key's lock: spins a bounded number of times, then blocks. */
    void lock() {
        if (lock.tryLock()) {
            return;
        }
        for (int spin = 0; spin < SPINS_BEFORE_BLOCKING; spin++) {
            Thread.onSpinWait();
            if (lock.tryLock()) {
                return;
            }
        }
        lock.lock();
    }

    void unlock() {
        lock.unlock();
    }

    /** Replaces definition, status and pending decrease; holds keep their amounts and expiry. */
    void apply(LimitState state) {
        definition = state.definition();
        status = state.status();
        pendingDecreaseTo = state.pendingDecreaseTo();
    }

    LimitDefinition definition() {
        return definition;
    }

    /**
     * The definition read without the lock: the one in force now or an earlier one (a definition is
     * immutable, so either is whole), null before a restored key is installed. Only for decisions
     * that are safe on a stale definition ({@link MemoryBackend}'s complete of a hold it keeps).
     */
    LimitDefinition definitionWithoutLock() {
        return definition;
    }

    @Override
    public long capacity() {
        return definition.capacity();
    }

    @Override
    public boolean decreasing() {
        return status == LimitStatus.DECREASING;
    }

    long reserved() {
        return reserved;
    }

    long debt() {
        return debt;
    }

    int holdCount() {
        return holds.heldCount();
    }

    /** Drops every hold that has expired at {@code nowMillis}: O(expired) amortized, see {@link HoldQueue}. */
    void purgeExpired(long nowMillis) {
        reserved = Math.subtractExact(reserved, holds.expire(nowMillis));
        assert invariantHolds() : this;
    }

    /** Whether {@code hold} of this key still counts (not released, not dropped as expired). */
    boolean isHeld(Hold hold) {
        return holds.isHeld(hold);
    }

    /** Whether {@code amount} more fits now; cannot overflow because both sides stay non-negative. */
    boolean fits(long amount) {
        return amount <= capacity() - reserved;
    }

    /** Takes {@code amount} until {@code expiresAtMillis}; the caller checked {@link #fits}. */
    Hold hold(long amount, long expiresAtMillis) {
        assert amount >= 1 && fits(amount) : this;
        Hold hold = new Hold(this, amount, expiresAtMillis);
        reserved = Math.addExact(reserved, amount);
        holds.add(hold);
        assert invariantHolds() : this;
        return hold;
    }

    /**
     * Puts back a hold read from the journal, counting it again. Holds of one key are best restored
     * in expiry order, so that they go to the ring.
     */
    void restore(Hold hold) {
        reserved = Math.addExact(reserved, hold.amount);
        holds.add(hold);
        assert invariantHolds() : this;
    }

    /** Releases this exact hold if it still counts; a hold that already expired changes nothing. */
    void release(Hold hold) {
        if (holds.release(hold)) {
            reserved = Math.subtractExact(reserved, hold.amount);
        }
        assert invariantHolds() : this;
    }

    /** Lowers a held amount to {@code actual} (reconciliation); 0 releases the hold. */
    void shrink(Hold hold, long actual) {
        if (actual == 0) {
            release(hold);
            return;
        }
        assert actual > 0 && actual < hold.amount : this;
        reserved = Math.subtractExact(reserved, Math.subtractExact(hold.amount, actual));
        holds.setAmount(hold, actual);
        assert invariantHolds() : this;
    }

    /** Adds {@code extra} to a held amount, keeping its expiry; the caller checked {@link #fits}. */
    void grow(Hold hold, long extra) {
        assert extra >= 1 && fits(extra) : this;
        reserved = Math.addExact(reserved, extra);
        holds.setAmount(hold, Math.addExact(hold.amount, extra));
        assert invariantHolds() : this;
    }

    /** Records overage that could not be held; saturates at {@link Long#MAX_VALUE} instead of wrapping. */
    void addDebt(long amount) {
        debt = MemoryBackend.saturatingAdd(debt, amount);
        assert debt >= 0 : this;
    }

    /** Applies a pending decrease when enough is free (SPEC 2.4); true when it did. */
    boolean tryApplyDecrease() {
        if (status != LimitStatus.DECREASING || reserved > pendingDecreaseTo) {
            return false;
        }
        definition = definition.withCapacity(pendingDecreaseTo);
        status = LimitStatus.ACTIVE;
        pendingDecreaseTo = 0;
        return true;
    }

    /** The invariant of the class comment; the caller holds the lock. */
    boolean invariantHolds() {
        if (reserved < 0 || debt < 0) {
            return false;
        }
        return holds.heldCount() > SUMMED_HOLDS_MAX || holds.heldSum() == reserved;
    }

    @Override
    public String toString() {
        return "key " + key + " (reserved " + reserved + ", debt " + debt + ", " + holds.heldCount() + " holds)";
    }
}
