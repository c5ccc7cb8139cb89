package dev.ratelimiter.chaos.tigerbeetle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.chaos.process.ServerApi;
import dev.ratelimiter.chaos.process.ServerApi.Reply;
import dev.ratelimiter.chaos.workload.LlmWorkload;
import dev.ratelimiter.chaos.workload.WorkerSettings;
import dev.ratelimiter.chaos.workload.WorkloadRun;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What the TigerBeetle chaos suites share: the workload they drive, the probe key, and the calls
 * they make on a server directly (one unit reserves, completes, health and usage polls, each with
 * a deadline). Stateless.
 */
final class TigerBeetleChaosCalls {
    /** Two providers of one model and one tenant, small capacities so that denials are frequent. */
    static final LlmWorkload WORKLOAD = new LlmWorkload(2, 1, 20, 1, 10_000, 2, 3, 5, 12_000, 3, 200, 300);

    static final WorkerSettings WORKERS = new WorkerSettings(2, 0, 200, 5, 10, 50, 3, 3, 100);
    static final int THREADS = 6;
    /** A key that never denies for capacity, for probes of the server's state. */
    static final LimitDefinition PROBE = LimitDefinition.concurrency("chaos:probe", 1_000_000, 1);

    static final long LOAD_MILLIS = 1_500;
    static final long START_TIMEOUT_MILLIS = 60_000;

    private TigerBeetleChaosCalls() {}

    /** A reserve of one unit of {@code key}; an admitted probe is completed at once. */
    static ReserveResponse reserve(ServerApi api, String leaseId, String key) throws Exception {
        Reply reply = api.send(
                "POST",
                "/v1/reserve",
                api.codec().write(new ReserveRequest(leaseId, "", List.of(new Requirement(key, 1)))));
        assertEquals(200, reply.status(), "reserve " + leaseId + ": " + reply.text());
        ReserveResponse response = api.codec().readReserveResponse(reply.body());
        if (response.allowed() && key.equals(PROBE.key())) {
            complete(api, leaseId);
        }
        return response;
    }

    /** A complete without actuals. */
    static void complete(ServerApi api, String leaseId) throws Exception {
        Reply reply = api.send("POST", "/v1/complete", api.codec().write(new CompleteRequest(leaseId, "", List.of())));
        assertEquals(200, reply.status(), "complete " + leaseId + ": " + reply.text());
    }

    /** The amount {@code key} holds now, as the server reads it. */
    static long reservedOf(ServerApi api, String key) throws Exception {
        for (LimitInfo info : api.limits()) {
            if (info.definition().key().equals(key)) {
                return info.usage().reserved();
            }
        }
        throw new AssertionError("no limit " + key);
    }

    static void awaitHealthStatus(ServerApi api, int status, long timeoutMillis, String what) throws Exception {
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int last;
        while (true) {
            last = api.send("GET", "/healthz", null).status();
            if (last == status) {
                return;
            }
            assertTrue(System.nanoTime() < deadlineNanos, what + ": " + last + " instead of " + status);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** Lets the workload run for {@code millis}, or until it failed. */
    static void runFor(WorkloadRun run, long millis) {
        long endNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < endNanos && !run.hasFailed()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
