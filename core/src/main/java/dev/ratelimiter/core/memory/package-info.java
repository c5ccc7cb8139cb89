/**
 * The memory backend (SPEC 5.1): {@link dev.ratelimiter.core.memory.MemoryBackend} keeps every
 * limit's holds in this process, expires them lazily through a queue per key (a ring for holds in
 * expiry order, a min-heap for the rest), and locks per key so that reserves on different keys run
 * in parallel. The other types are its package-private parts: the hold queue and its indexed heap,
 * the per-key state and holds, lease records, the sweeper that drops lease records of leases nobody
 * completes, and the bound on finished records kept to answer repeats.
 *
 * With a journal ({@link dev.ratelimiter.core.memory.MemoryBackend#withJournal}) it records every
 * change there before answering it and reads its books back at start.
 *
 * <p>Depends on {@code core.model}, {@code core.backend}, {@code core.rules}, {@code core.journal}, {@code core.retry} and
 * {@code core.time}.
 */
package dev.ratelimiter.core.memory;
