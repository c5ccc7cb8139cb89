package dev.ratelimiter.core.time;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to; tests advance it instead of sleeping.
 * Thread-safe: the time is one atomic long.
 */
public final class ManualClock implements Clock {
    private final AtomicLong nowMillis;

    public ManualClock(long startMillis) {
        this.nowMillis = new AtomicLong(startMillis);
    }

    @Override
    public long nowMillis() {
        return nowMillis.get();
    }

    public void advanceMillis(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("time never goes back: " + millis);
        }
        nowMillis.addAndGet(millis);
    }

    public void advanceSeconds(long seconds) {
        advanceMillis(Math.multiplyExact(seconds, 1000L));
    }
}
