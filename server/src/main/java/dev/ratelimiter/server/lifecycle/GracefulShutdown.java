package dev.ratelimiter.server.lifecycle;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.graceful.GracefulShutdownManager;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops a running server without dropping requests it has accepted (run from the SIGTERM hook).
 *
 * <p>Why not Micronaut's own hook: it stops the Netty event loops first, which closes every
 * connection, and only then publishes the shutdown event that graceful shutdown listens to, so
 * in-flight requests would be cut off. The order here is: (1) Micronaut's graceful shutdown of
 * every {@code GracefulShutdownCapable} bean (the HTTP server stops accepting connections and waits
 * until each accepted request is answered), bounded by the grace period; (2) the server stops; (3)
 * the context closes, which closes the worker pools and then the
 * {@link dev.ratelimiter.core.service.LimiterService} (decrease loop stopped, backend closed).
 */
public final class GracefulShutdown {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);

    private GracefulShutdown() {}

    /** Runs the three steps; returns once the context is closed. Never waits longer than the grace period for requests. */
    public static void stop(ApplicationContext context, EmbeddedServer server, long gracePeriodMs) {
        LOG.info("Stopping: answering in-flight requests first (grace period {} ms)", gracePeriodMs);
        try {
            context.getBean(GracefulShutdownManager.class)
                    .shutdownGracefully()
                    .toCompletableFuture()
                    .get(gracePeriodMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Requests still in flight after {} ms; stopping anyway", gracePeriodMs);
        } catch (ExecutionException e) {
            LOG.warn(
                    "Graceful shutdown failed; stopping anyway: {}",
                    e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while waiting for in-flight requests; stopping anyway");
        }
        try {
            server.stop();
        } finally {
            context.close();
        }
        LOG.info("Stopped");
    }
}
