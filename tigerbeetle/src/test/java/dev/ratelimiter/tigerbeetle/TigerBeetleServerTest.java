package dev.ratelimiter.tigerbeetle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.core.registry.InMemoryStore;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.core.wire.BatchItem;
import dev.ratelimiter.core.wire.RequestLimits;
import dev.ratelimiter.testkit.tigerbeetle.RequiresTigerBeetle;
import dev.ratelimiter.testkit.tigerbeetle.TigerBeetleServer;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The limiter service on the TigerBeetle backend against a real single-replica TigerBeetle: what a
 * restart of this server keeps, admin changes, decreases and debt. A "restart" closes the service
 * and opens a new one on the same registry and the same cluster. Each test works under its own
 * label namespace, so tests share the replica without seeing each other. Skipped, with one line
 * naming {@code TB_BIN}, when no TigerBeetle can be started.
 */
@Timeout(120)
@RequiresTigerBeetle
class TigerBeetleServerTest {
    private static final Duration POLL_DEADLINE = Duration.ofSeconds(10);
    private static TigerBeetleServer server;

    private final InMemoryStore registry = new InMemoryStore();
    private LedgerIds ids;
    private LimiterService service;

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

    @BeforeEach
    void open() throws IOException {
        ids = new LedgerIds("test-" + UUID.randomUUID() + "/");
        service = openService();
    }

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void aLimitCreatedThroughTheAdminApiIsUsableAtOnce() {
        assertEquals(
                LimitStatus.ACTIVE,
                service.putLimit(LimitDefinition.rolling("rpm", 2, 60)).status());

        assertTrue(reserve("a", "rpm", 2).allowed(), () -> "with TigerBeetle output:\n" + server.outputTail());
        assertFalse(reserve("b", "rpm", 1).allowed());
        assertEquals(new Usage(2, 0, 0), service.limit("rpm").orElseThrow().usage());
    }

    /**
     * A replica started with --development (as every test replica is) takes requests of 32 KiB,
     * 254 transfers; the backend's default allows 8189. A batch above the cluster's limit used to
     * answer backend_error for every item; the submitter now learns the limit and splits.
     */
    @Test
    void admitsABatchLargerThanTheReplicaTakesInOneRequest() {
        define(LimitDefinition.rolling("rpm", 10_000, 60));
        define(LimitDefinition.rolling("tpm", 10_000, 60));
        List<BatchItem<ReserveRequest>> items = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            items.add(BatchItem.of(new ReserveRequest(
                    "batch-" + i, "", List.of(new Requirement("rpm", 1), new Requirement("tpm", 2)))));
        }

        List<ReserveResponse> responses = service.reserveBatch(items);

        assertTrue(
                responses.stream().allMatch(ReserveResponse::allowed),
                () -> responses.stream()
                        .filter(response -> !response.allowed())
                        .findFirst()
                        .orElseThrow()
                        .toString());
        awaitUsage("rpm", 250);
        awaitUsage("tpm", 500);
    }

    @Test
    void aDeniedLeaseStaysDeniedAfterAServerRestart() throws IOException {
        service.putLimit(LimitDefinition.rolling("rpm", 1, 2));
        assertTrue(reserve("holder", "rpm", 1).allowed());
        assertFalse(reserve("denied", "rpm", 1).allowed());

        restart();
        awaitUsage("rpm", 0);

        ReserveResponse repeat = reserve("denied", "rpm", 1);
        assertFalse(repeat.allowed(), "capacity is free again, but TigerBeetle keeps the failed id");
        assertEquals("", repeat.error());
        assertTrue(reserve("fresh", "rpm", 1).allowed());
    }

    @Test
    void holdsMadeBeforeAServerRestartStillCountAfterIt() throws IOException {
        service.putLimit(LimitDefinition.concurrency("slots", 3, 60));
        ReserveResponse before = reserve("a", "slots", 2);
        assertTrue(before.allowed());

        restart();

        assertEquals(2, service.limit("slots").orElseThrow().usage().reserved());
        assertFalse(reserve("b", "slots", 2).allowed());
        ReserveResponse repeat = reserve("a", "slots", 2);
        assertTrue(repeat.allowed(), "a repeat is recognised from the cluster alone");
        assertEquals(before.reservedAtUnixMs(), repeat.reservedAtUnixMs());
        assertTrue(service.complete(new CompleteRequest("a", "", List.of())).ok());
        assertEquals(0, service.limit("slots").orElseThrow().usage().reserved());
    }

    @Test
    void aDecreaseAppliesWhenTheHoldsExpire() {
        service.putLimit(LimitDefinition.rolling("rpm", 5, 1));
        assertTrue(reserve("a", "rpm", 4).allowed());
        service.startDecreaseLoop(50);

        assertEquals(
                LimitStatus.DECREASING,
                service.putLimit(LimitDefinition.rolling("rpm", 2, 1)).status());
        assertEquals(ErrorCodes.limitDecreasing("rpm"), reserve("b", "rpm", 1).error());

        await(() -> service.limit("rpm").orElseThrow().status() == LimitStatus.ACTIVE, "the decrease to apply");
        LimitInfo info = service.limit("rpm").orElseThrow();
        assertEquals(2, info.definition().capacity());
        assertTrue(reserve("c", "rpm", 2).allowed());
        assertFalse(reserve("d", "rpm", 1).allowed());
    }

    @Test
    void debtLandsInTheDebtAccount() throws Exception {
        service.putLimit(LimitDefinition.rolling("tpm", 100, 60));
        assertTrue(reserve("a", "tpm", 60).allowed());
        assertTrue(reserve("b", "tpm", 40).allowed());

        assertTrue(service.complete(new CompleteRequest("a", "", List.of(new Actual("tpm", 75))))
                .ok());

        assertEquals(new Usage(100, 0, 15), service.limit("tpm").orElseThrow().usage());
        try (TigerBeetleLedgerClient client =
                TigerBeetleLedgerClient.open(BigInteger.ZERO, List.of(server.address()))) {
            List<LedgerClient.AccountRecord> accounts =
                    client.lookupAccounts(List.of(ids.debtAccount("tpm"))).get(10, TimeUnit.SECONDS);
            assertEquals(1, accounts.size());
            assertEquals(BigInteger.valueOf(15), accounts.get(0).debitsPosted());
        }
    }

    @Test
    void startUpBringsTheClusterInLineWithTheRegistry() throws IOException {
        service.putLimit(LimitDefinition.rolling("rpm", 3, 60));
        service.close();
        service = null;
        // The registry was edited while the server was down.
        registry.save(List.of(new LimitState(LimitDefinition.rolling("rpm", 7, 60), LimitStatus.ACTIVE, 0, 5)));

        service = openService();

        assertTrue(reserve("a", "rpm", 7).allowed());
        assertFalse(reserve("b", "rpm", 1).allowed());
    }

    /**
     * Defines a limit and waits until the cluster applied it: on a loaded machine the first install
     * can outlast the request timeout, and the service then retries it by itself.
     */
    private void define(LimitDefinition definition) {
        try {
            service.putLimit(definition);
        } catch (BackendException e) {
            String probe = "probe-" + UUID.randomUUID();
            await(
                    () -> service.reserve(new ReserveRequest(probe, "", List.of(new Requirement(definition.key(), 1))))
                            .allowed(),
                    definition.key() + " to be applied");
            service.complete(new CompleteRequest(probe, "", List.of(new Actual(definition.key(), 0))));
            awaitUsage(definition.key(), 0);
        }
    }

    private LimiterService openService() throws IOException {
        Clock clock = Clock.system();
        TigerBeetleSettings settings = TigerBeetleSettings.of(BigInteger.ZERO, List.of(server.address()))
                .withRequestTimeout(Duration.ofSeconds(5));
        TigerBeetleBackend backend =
                TigerBeetleBackend.connect(settings, new RetryHints(RetryPolicy.DEFAULT, clock), clock, ids);
        return LimiterService.open(backend, registry, RequestLimits.DEFAULT);
    }

    private void restart() throws IOException {
        service.close();
        service = null;
        service = openService();
    }

    private ReserveResponse reserve(String leaseId, String key, long amount) {
        return service.reserve(new ReserveRequest(leaseId, "", List.of(new Requirement(key, amount))));
    }

    private void awaitUsage(String key, long reserved) {
        await(
                () -> service.limit(key).orElseThrow().usage().reserved() == reserved,
                "the usage of " + key + " to reach " + reserved);
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadlineNanos = System.nanoTime() + POLL_DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadlineNanos > 0) {
                fail("timed out after " + POLL_DEADLINE + " waiting for " + what + "; TigerBeetle output:\n"
                        + server.outputTail());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
