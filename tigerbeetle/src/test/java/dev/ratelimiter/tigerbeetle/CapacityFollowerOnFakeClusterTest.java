package dev.ratelimiter.tigerbeetle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.ManualClock;
import dev.ratelimiter.tigerbeetle.TigerBeetleBackend.CapacityRole;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two servers on one cluster, one that moves capacity and one that follows it
 * ({@link CapacityRole#FOLLOWS}): the follower admits against the balance the other set, never
 * posts a capacity transfer, and takes a decrease as applied once the ledger shows it.
 */
class CapacityFollowerOnFakeClusterTest {
    private static final long START_MS = 1_700_000_000_000L;

    private final ManualClock clock = new ManualClock(START_MS);
    private final FakeTigerBeetle cluster = new FakeTigerBeetle(clock);
    private final LedgerIds ids = LedgerIds.standard();
    private final List<TigerBeetleBackend> backends = new ArrayList<>();

    @AfterEach
    void closeBackends() {
        backends.forEach(TigerBeetleBackend::close);
    }

    @Test
    void aFollowerGivenAHigherCapacityDoesNotRaiseTheBalance() {
        TigerBeetleBackend mover = backend(CapacityRole.MOVES);
        TigerBeetleBackend follower = backend(CapacityRole.FOLLOWS);
        mover.install(LimitState.created(LimitDefinition.rolling("rpm", 2, 60)));

        follower.install(LimitState.created(LimitDefinition.rolling("rpm", 5, 60)));

        assertEquals(2, cluster.balance(ids.limitAccount("rpm")));
        assertTrue(follower.reserve(request("a", "rpm")).allowed());
        assertTrue(follower.reserve(request("b", "rpm")).allowed());
        assertFalse(follower.reserve(request("c", "rpm")).allowed(), "the ledger holds capacity 2");
    }

    @Test
    void aFollowerOnAnOldRegistryDoesNotUndoARaise() {
        TigerBeetleBackend mover = backend(CapacityRole.MOVES);
        mover.install(LimitState.created(LimitDefinition.rolling("rpm", 2, 60)));
        mover.install(LimitState.created(LimitDefinition.rolling("rpm", 2, 60))
                .change(LimitDefinition.rolling("rpm", 4, 60)));

        TigerBeetleBackend follower = backend(CapacityRole.FOLLOWS);
        follower.install(LimitState.created(LimitDefinition.rolling("rpm", 2, 60)));

        assertEquals(4, cluster.balance(ids.limitAccount("rpm")));
        for (int i = 0; i < 4; i++) {
            assertTrue(follower.reserve(request("lease-" + i, "rpm")).allowed(), "hold " + i);
        }
    }

    @Test
    void aFollowerCreatesMissingAccountsWithoutCapacity() {
        TigerBeetleBackend follower = backend(CapacityRole.FOLLOWS);

        follower.install(LimitState.created(LimitDefinition.concurrency("slots", 3, 30)));

        assertEquals(0, cluster.balance(ids.limitAccount("slots")));
        assertFalse(follower.reserve(request("a", "slots")).allowed(), "nothing admits before a server moves capacity");
    }

    @Test
    void aFollowerTakesADecreaseAsAppliedOnlyOnceTheLedgerShowsIt() {
        TigerBeetleBackend mover = backend(CapacityRole.MOVES);
        TigerBeetleBackend follower = backend(CapacityRole.FOLLOWS);
        LimitState four = LimitState.created(LimitDefinition.concurrency("slots", 4, 30));
        mover.install(four);
        follower.install(four);
        assertTrue(follower.reserve(request("a", "slots")).allowed());
        assertTrue(follower.reserve(request("b", "slots")).allowed());
        LimitState decreasing = four.change(LimitDefinition.concurrency("slots", 1, 30));
        assertEquals(LimitStatus.DECREASING, decreasing.status());
        mover.install(decreasing);
        follower.install(decreasing);
        int transfersBefore = cluster.transferRequests();

        assertFalse(follower.tryApplyDecrease("slots"), "two holds on a target of one");
        assertEquals(transfersBefore, cluster.transferRequests(), "a follower never tries a lowering itself");
        follower.complete(new CompleteRequest("a", "", List.of()));
        follower.complete(new CompleteRequest("b", "", List.of()));
        assertFalse(follower.tryApplyDecrease("slots"), "room now, but lowering is the other server's job");
        assertEquals(4, cluster.balance(ids.limitAccount("slots")));

        assertTrue(mover.tryApplyDecrease("slots"));
        assertTrue(follower.tryApplyDecrease("slots"), "the ledger is down to the target");
        assertTrue(follower.reserve(request("c", "slots")).allowed());
        assertFalse(follower.reserve(request("d", "slots")).allowed());
    }

    private TigerBeetleBackend backend(CapacityRole role) {
        TigerBeetleSettings settings = TigerBeetleSettings.of(BigInteger.ZERO, List.of("3000"))
                .withFlushInterval(Duration.ZERO)
                .withRequestTimeout(Duration.ofSeconds(5));
        TigerBeetleBackend backend = new TigerBeetleBackend(
                cluster.client(),
                cluster.client(),
                settings,
                new RetryHints(RetryPolicy.DEFAULT, clock, bound -> 0),
                clock,
                ids,
                role);
        backends.add(backend);
        return backend;
    }

    private static ReserveRequest request(String leaseId, String key) {
        return new ReserveRequest(leaseId, "", List.of(new Requirement(key, 1)));
    }
}
