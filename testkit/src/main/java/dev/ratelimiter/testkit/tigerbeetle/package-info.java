/**
 * A real TigerBeetle for JUnit tests, or a clean skip:
 * {@link dev.ratelimiter.testkit.tigerbeetle.TigerBeetleServer} starts a single replica from the
 * {@code TB_BIN} binary (or the TigerBeetle image, when Docker answers), and
 * {@link dev.ratelimiter.testkit.tigerbeetle.RequiresTigerBeetle} skips a test class with the one
 * line of {@link dev.ratelimiter.testkit.process.TigerBeetleBinary#SKIP_MESSAGE} when neither exists
 * (or, with {@code localBinary = true}, for suites that send replicas signals, when no binary does).
 *
 * <p>Depends on {@code testkit.process}, JUnit Jupiter's API and, for the Docker fallback only,
 * Testcontainers; both are optional dependencies of the testkit, which the modules using this
 * package have in their test scope already.
 */
package dev.ratelimiter.testkit.tigerbeetle;
