/**
 * The TigerBeetle backend (SPEC 5.2): {@link dev.ratelimiter.tigerbeetle.TigerBeetleBackend}, built
 * from {@link dev.ratelimiter.tigerbeetle.TigerBeetleSettings}, enforces limits as balances of
 * TigerBeetle accounts and holds as pending transfers with timeouts.
 *
 * <p>The package-private parts, each one concept: {@code LedgerId} and {@code LedgerIds} (ids
 * derived from labels), {@code Transfer} and {@code Chains} (the transfers the backend creates),
 * {@code Outcomes} (what TigerBeetle's results mean), {@code LedgerClient} and
 * {@code TigerBeetleLedgerClient} (the cluster, behind an interface tests can script),
 * {@code Submitter} (microbatching, a timeout on every request, renewal of a silent session), {@code LeaseBook} and
 * {@code LeaseRecord} (the bounded memory of leases), {@code UnknownLeases} (reserves whose answer
 * was lost, until they are settled), {@code KeyState} (what is installed per key).
 *
 * <p>Depends on {@code core.model}, {@code core.backend}, {@code core.retry}, {@code core.time} and
 * {@code com.tigerbeetle}; nothing outside this package touches the TigerBeetle client.
 */
package dev.ratelimiter.tigerbeetle;
