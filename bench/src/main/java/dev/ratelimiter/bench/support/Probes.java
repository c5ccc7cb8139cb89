package dev.ratelimiter.bench.support;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.service.LimiterService;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Checks, outside the measured code, that a benchmark measures the path it claims to.
 *
 * <p>Why: a key that is not installed, or a capacity that ran out, turns every reserve into a quick
 * denial, and the benchmark would report a splendid number for the wrong path. Every memory
 * benchmark probes at setup and at teardown and fails the run when the probe is not admitted.
 *
 * <p>Stateless; thread-safe.
 */
public final class Probes {
    private Probes() {}

    /** Reserves and completes one probe lease on a backend; see {@link #requireAdmitted(Function, Consumer, List, String)}. */
    public static void requireAdmitted(Backend backend, List<Requirement> requirements, String when) {
        requireAdmitted(backend::reserve, backend::complete, requirements, when);
    }

    /** Reserves and completes one probe lease through a service; see {@link #requireAdmitted(Function, Consumer, List, String)}. */
    public static void requireAdmitted(LimiterService service, List<Requirement> requirements, String when) {
        requireAdmitted(service::reserve, service::complete, requirements, when);
    }

    /**
     * Reserves and completes one probe lease of {@code requirements}.
     *
     * @throws IllegalStateException when the probe is not admitted
     */
    public static void requireAdmitted(
            Function<ReserveRequest, ReserveResponse> reserve,
            Consumer<CompleteRequest> complete,
            List<Requirement> requirements,
            String when) {
        String leaseId = "probe-" + System.nanoTime();
        ReserveResponse response = reserve.apply(new ReserveRequest(leaseId, "", requirements));
        if (!response.allowed()) {
            throw new IllegalStateException(
                    "the benchmark would not measure admissions: a probe lease " + when + " was answered " + response);
        }
        complete.accept(new CompleteRequest(leaseId, "", List.of()));
    }
}
