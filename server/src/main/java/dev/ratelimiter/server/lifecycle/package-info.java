/**
 * How the server comes up and goes down: the backend chosen by configuration, the
 * {@link dev.ratelimiter.core.service.LimiterService} opened on the durable registry and seeded
 * from the example limits file, the decrease loop, the bounded worker pools that keep slow backend
 * calls and large bodies off Netty's event loop, the dispatchers that choose per call between the
 * event loop and a pool (from {@link dev.ratelimiter.core.backend.Backend#neverBlocks()} and the
 * body's size), the memory backend's journal read back while the HTTP server starts
 * ({@code RecoveringBackend}) and the pool-waiting variant kept to measure against it
 * ({@code PoolWaitingBackend}), and the graceful stop that answers in-flight requests before the
 * service is closed. A problem found while starting is a {@link dev.ratelimiter.server.lifecycle.StartupFailure}
 * whose message names the setting, file or entry at fault.
 *
 * <p>Depends on core, on the {@code config} package, on the TigerBeetle backend's public entry
 * points ({@code TigerBeetleBackend.connect} and its settings), on Micronaut's context and, for the
 * event loop of the current thread, on Netty.
 */
package dev.ratelimiter.server.lifecycle;
