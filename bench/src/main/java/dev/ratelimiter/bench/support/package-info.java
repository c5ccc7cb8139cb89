/**
 * What the benchmarks share: an accelerated clock that lets holds expire at benchmark speed, the
 * limit sets they reserve against, and cheap unique lease ids. Depends on core only.
 */
package dev.ratelimiter.bench.support;
