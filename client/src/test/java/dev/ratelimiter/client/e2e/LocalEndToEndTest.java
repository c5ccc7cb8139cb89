package dev.ratelimiter.client.e2e;

import dev.ratelimiter.client.Limiter;
import dev.ratelimiter.client.local.LocalLimiter;

/** The end-to-end workload in process: scheduler, batcher and the local limiter. */
class LocalEndToEndTest extends EndToEndContract {
    @Override
    Limiter newLimiter() throws Exception {
        return LocalLimiter.builder().limits(limits()).build();
    }

    @Override
    String target() {
        return "local";
    }
}
