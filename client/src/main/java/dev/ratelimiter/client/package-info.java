/**
 * The client's entry point: the {@link dev.ratelimiter.client.Limiter} interface (reserve, complete
 * and their batch forms, each synchronous and asynchronous) and the exceptions that report operating
 * failures. Expected outcomes (an admission, a denial, an error code of SPEC 3) are values in the
 * responses; an exception means the call itself failed:
 * <ul>
 *   <li>{@link dev.ratelimiter.client.OutcomeUnknownException}: the request may or may not have taken
 *       effect (transport error or timeout until the deadline);</li>
 *   <li>{@link dev.ratelimiter.client.DeadlineExceededException},
 *       {@link dev.ratelimiter.client.LimiterClosedException},
 *       {@link dev.ratelimiter.client.LimiterOverloadedException}: the request was never sent;</li>
 *   <li>{@link dev.ratelimiter.client.LimiterException} itself: the limiter answered something the
 *       client cannot use (a wrong URL, for instance); nothing was held.</li>
 * </ul>
 *
 * <p>Implementations: {@code client.http} (a server over HTTP), {@code client.local} (the memory
 * backend in process) and {@code client.batch} (coalesces calls into batches over another limiter).
 * {@code client.scheduler} runs jobs through any of them.
 *
 * <p>Depends on {@code core.model}, {@code core.wire} and {@code core.time}.
 */
package dev.ratelimiter.client;
