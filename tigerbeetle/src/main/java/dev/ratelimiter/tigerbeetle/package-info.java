/**
 * The TigerBeetle backend (SPEC 5.2): {@link dev.ratelimiter.tigerbeetle.TigerBeetleBackend}, built
 * from {@link dev.ratelimiter.tigerbeetle.TigerBeetleSettings}, enforces limits as balances of
 * TigerBeetle accounts and holds as pending transfers with timeouts.
 *
 * <p>{@code TigerBeetleBackend} is the only public entry point and a thin facade: it creates the
 * shared parts, hands them to one package-private class per job and delegates to it:
 * {@code Provisioning} (the operator, limit and debt accounts, capacity reconciliation and
 * lowering, capacity attempt numbers; the only writer of the key table), {@code Admissions}
 * (reserve, repeats resolved from the ledger, unknown leases and the settler pass),
 * {@code Completions} (complete: release, shrink, overage and debt) and {@code UsageAndHealth}
 * (usage with the last values read, health and its probe). Which request is admitted, how a repeat
 * is answered and where overage goes are decided by core's {@code AdmissionRules}; these classes
 * supply the state and do the I/O.
 *
 * <p>The shared parts, each one concept: {@code LedgerId} and {@code LedgerIds} (ids derived from
 * labels), {@code Transfer} and {@code Chains} (the transfers the backend creates), {@code Outcomes}
 * (what TigerBeetle's results mean), {@code LedgerClient} and {@code TigerBeetleLedgerClient} (the
 * cluster, behind an interface tests can script), {@code Submitter} (microbatching, a timeout on
 * every request, renewal of a silent session on the {@code RenewalSchedule}) and {@code Answers} (the bounded wait for its
 * answers), {@code LeaseBook} and {@code LeaseRecord} (the bounded memory of leases),
 * {@code UnknownLeases} (reserves whose answer was lost, until they are settled), {@code KeyState}
 * (what is installed per key).
 *
 * <p>Depends on {@code core.model}, {@code core.backend}, {@code core.retry}, {@code core.rules},
 * {@code core.time}, SLF4J and {@code com.tigerbeetle}; nothing outside this package touches the
 * TigerBeetle client.
 */
package dev.ratelimiter.tigerbeetle;
