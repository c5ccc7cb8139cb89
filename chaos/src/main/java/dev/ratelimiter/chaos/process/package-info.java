/**
 * The server and TigerBeetle as separate OS processes: {@link dev.ratelimiter.chaos.process.ServerProcess}
 * starts {@code ratelimiterd} with {@code java -jar} on a free port and a registry of its own, waits
 * for {@code /healthz} with a deadline, keeps its output for failure messages, and stops it with
 * SIGKILL or SIGTERM; {@link dev.ratelimiter.chaos.process.ServerApi} speaks the HTTP API with the
 * JDK client and core's codec, and {@link dev.ratelimiter.chaos.process.HttpTarget} drives a
 * workload through it while counting every HTTP status. Every process started here is stopped by
 * its owner, and by a shutdown hook if the test JVM ends first.
 *
 * <p>Depends on {@code core.model}, {@code core.wire}, the workload package and the JDK.
 */
package dev.ratelimiter.chaos.process;
