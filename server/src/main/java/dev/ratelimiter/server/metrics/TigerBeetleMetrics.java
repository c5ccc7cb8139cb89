package dev.ratelimiter.server.metrics;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.tigerbeetle.TigerBeetleBackend;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;

/**
 * On the TigerBeetle backend, how well admissions share requests to the cluster:
 * {@code ratelimiter_tigerbeetle_create_transfers_requests_total} and
 * {@code ratelimiter_tigerbeetle_transfers_total}; their rates' ratio is the mean number of events
 * per {@code create_transfers} request. Nothing is registered on another backend.
 *
 * <p>Thread-safety: the counters are read from the backend's adders at scrape time; this bean
 * holds no state of its own after construction.
 */
@Context
public final class TigerBeetleMetrics {

    public TigerBeetleMetrics(MeterRegistry registry, Backend backend) {
        if (backend instanceof TigerBeetleBackend tigerBeetle) {
            FunctionCounter.builder(
                            "ratelimiter.tigerbeetle.create.transfers.requests",
                            tigerBeetle,
                            TigerBeetleBackend::createTransfersRequests)
                    .description("create_transfers requests sent to TigerBeetle")
                    .register(registry);
            FunctionCounter.builder("ratelimiter.tigerbeetle.transfers", tigerBeetle, TigerBeetleBackend::transfersSent)
                    .description("transfers sent to TigerBeetle in create_transfers requests")
                    .register(registry);
        }
    }
}
