/**
 * Turns a JMH result file into the tables of docs/BENCHMARKS.md: each of our operations beside its
 * baseline from the same run, with the ratio. Depends on Jackson only.
 */
package dev.ratelimiter.bench.report;
