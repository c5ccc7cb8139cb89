package dev.ratelimiter.tigerbeetle;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.backend.BackendContractTest;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.ManualClock;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;

/**
 * The backend contract suite (SPEC 2) on the TigerBeetle backend over {@link FakeTigerBeetle} and a
 * manual clock: runs everywhere, with exact expiry. {@link TigerBeetleContractTest} runs the same
 * suite against a real TigerBeetle when one is available.
 */
class FakeClusterContractTest extends BackendContractTest {
    private final ManualClock clock = new ManualClock(1_700_000_000_000L);
    private final FakeTigerBeetle cluster = new FakeTigerBeetle(clock);

    @Override
    protected Backend createBackend(RetryPolicy retryPolicy) {
        TigerBeetleSettings settings = TigerBeetleSettings.of(BigInteger.ZERO, List.of("3000"))
                .withFlushInterval(Duration.ZERO)
                .withRequestTimeout(Duration.ofSeconds(5));
        return new TigerBeetleBackend(
                cluster.client(),
                cluster.client(),
                settings,
                new RetryHints(retryPolicy, clock),
                clock,
                LedgerIds.standard());
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
