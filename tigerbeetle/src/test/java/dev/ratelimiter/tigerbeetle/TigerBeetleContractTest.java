package dev.ratelimiter.tigerbeetle;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.backend.BackendContractTest;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.testkit.tigerbeetle.RequiresTigerBeetle;
import dev.ratelimiter.testkit.tigerbeetle.TigerBeetleServer;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The backend contract suite (SPEC 2) against a real single-replica TigerBeetle, in real time
 * (pending-transfer timeouts are whole seconds of the cluster's clock). Every test of the suite
 * uses its own keys and leases, so one replica serves the whole class. Skipped, with one line
 * naming {@code TB_BIN}, when no TigerBeetle can be started.
 */
@RequiresTigerBeetle
class TigerBeetleContractTest extends BackendContractTest {
    private static TigerBeetleServer server;

    @BeforeAll
    static void startTigerBeetle() {
        server = TigerBeetleServer.startOrSkip();
    }

    @AfterAll
    static void stopTigerBeetle() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected Backend createBackend(RetryPolicy retryPolicy) {
        Clock clock = Clock.system();
        TigerBeetleSettings settings = TigerBeetleSettings.of(BigInteger.ZERO, List.of(server.address()))
                .withRequestTimeout(Duration.ofSeconds(5));
        return TigerBeetleBackend.connect(settings, new RetryHints(retryPolicy, clock), clock);
    }

    @Override
    protected void letTimePass(Duration duration) {
        try {
            // Real time is the only time TigerBeetle knows; the suite then polls with a deadline.
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while letting time pass", e);
        }
    }
}
