package dev.ratelimiter.chaos.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.wire.WireCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The judge of the kill suite must pass a registry that holds exactly what was acknowledged, and
 * catch a lost change, a mixture of two changes and a change that was never sent. A stub admin
 * endpoint stores what it is sent, and on demand stores a change but answers 503.
 */
class AdminChangeWriterTest {
    private static final long TIMEOUT_MILLIS = 10_000;

    private final WireCodec codec = new WireCodec();
    private final Map<String, LimitDefinition> stored = new ConcurrentHashMap<>();
    private final AtomicBoolean failAfterStoring = new AtomicBoolean();
    private HttpServer stub;
    private AdminChangeWriter writer;

    @BeforeEach
    void startStub() throws IOException {
        stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext("/v1/admin/limits", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                LimitDefinition definition = codec.readLimitDefinition(body.readAllBytes());
                stored.put(definition.key(), definition);
            }
            byte[] answer = "{\"ok\":true,\"status\":\"active\"}".getBytes();
            exchange.sendResponseHeaders(failAfterStoring.get() ? 503 : 200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        stub.start();
        writer = new AdminChangeWriter(
                ServerApi.local(stub.getAddress().getPort(), Duration.ofSeconds(1), Duration.ofSeconds(2)), 4, 7);
    }

    @AfterEach
    void stopStub() throws InterruptedException {
        writer.stop(TIMEOUT_MILLIS);
        stub.stop(0);
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadlineNanos, what + " within " + TIMEOUT_MILLIS + " ms");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Test
    void passesARegistryWithEveryAcknowledgedChangeAndCatchesALostOne() throws InterruptedException {
        writer.start();
        await(() -> writer.acknowledgedCount() >= 20, "20 changes acknowledged");
        writer.stop(TIMEOUT_MILLIS);

        assertEquals(List.of(), writer.check(new TreeMap<>(stored)));

        Map<String, LimitDefinition> lost = new TreeMap<>(stored);
        String key = lost.keySet().iterator().next();
        lost.remove(key);
        List<String> problems = writer.check(lost);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(key + ": holds null"), problems.get(0));
    }

    @Test
    void catchesAMixtureOfTwoChanges() throws InterruptedException {
        writer.start();
        await(() -> writer.acknowledgedCount() >= 20, "20 changes acknowledged");
        writer.stop(TIMEOUT_MILLIS);
        Map<String, LimitDefinition> mixed = new TreeMap<>(stored);
        LimitDefinition last = mixed.values().iterator().next();
        mixed.put(last.key(), last.withCapacity(last.capacity() - 1));

        assertEquals(1, writer.check(mixed).size());
    }

    @Test
    void aChangeWithoutAnAnswerMayBeThereOrNotAndHoldsTheWriterUntilARestart() throws InterruptedException {
        failAfterStoring.set(true);
        writer.start();
        await(() -> !writer.inFlightKey().isEmpty() && writer.unexpectedStatuses() > 0, "a change in doubt");
        String key = writer.inFlightKey();

        assertEquals(0, writer.acknowledgedCount());
        assertEquals(List.of(), writer.check(new TreeMap<>(stored)), "landed whole");
        assertEquals(List.of(), writer.check(Map.of()), "absent whole");
        // A short, bounded look for something that must not happen: a second change sent.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        assertEquals(1, stored.size(), "nothing more is sent while a change is in doubt");

        failAfterStoring.set(false);
        assertEquals(List.of(), writer.restarted(new TreeMap<>(stored)));
        assertEquals(
                "1 change(s) in flight at a kill, 1 of them landed whole, 0 absent whole", writer.inFlightSummary());
        await(() -> writer.acknowledgedCount() >= 5, "the writer going on after the restart");
        writer.stop(TIMEOUT_MILLIS);
        assertEquals(List.of(), writer.check(new TreeMap<>(stored)));
        assertTrue(stored.containsKey(key));
    }
}
