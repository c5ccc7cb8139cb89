/**
 * The chaos suites' view of a server started as a separate OS process (by the testkit's
 * {@code ServerProcess}): {@link dev.ratelimiter.chaos.process.ServerApi} speaks the HTTP API with
 * the JDK client and core's codec, {@link dev.ratelimiter.chaos.process.HttpTarget} drives a
 * workload through it while counting every HTTP status, and
 * {@link dev.ratelimiter.chaos.process.AdminChangeWriter} changes limits while a run goes on.
 *
 * <p>Depends on {@code core.model}, {@code core.wire}, the workload package and the JDK.
 */
package dev.ratelimiter.chaos.process;
