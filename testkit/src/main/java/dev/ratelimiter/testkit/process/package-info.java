/**
 * Processes the tests start, written once: {@link dev.ratelimiter.testkit.process.ServerProcess}
 * runs {@code ratelimiterd} from its jar (options for port, settings, environment, JVM options and
 * how it stops); {@link dev.ratelimiter.testkit.process.TigerBeetleReplica} and
 * {@link dev.ratelimiter.testkit.process.TigerBeetleCluster} format, start, kill, freeze and restart
 * TigerBeetle replicas, and wait until a replica can commit, not merely listen;
 * {@link dev.ratelimiter.testkit.process.TigerBeetleBinary} is the one place that finds the binary
 * ({@code TB_BIN}) or says, in one line, why TigerBeetle tests skip;
 * {@link dev.ratelimiter.testkit.process.Ports} hands out loopback ports below the ephemeral range;
 * {@link dev.ratelimiter.testkit.process.Poll} is the bounded wait they all use;
 * {@link dev.ratelimiter.testkit.process.JvmInspector} reads another JVM's live objects.
 *
 * <p>Every process started here keeps its output in a file that failure messages quote, and is
 * killed by a shutdown hook if the test JVM ends before its owner stops it.
 *
 * <p>Depends on the JDK only.
 */
package dev.ratelimiter.testkit.process;
