/**
 * The start-time measurement of the memory backend's journal: how long the server takes from
 * {@code java -jar} to its first answered reserve with a million live holds in its books, beside
 * the same start with empty books. A command-line tool, run by hand ({@link
 * dev.ratelimiter.bench.recovery.RecoveryTime}); depends on core and the JDK only.
 */
package dev.ratelimiter.bench.recovery;
