package dev.ratelimiter.bench.workload;

/**
 * What one run of the workload measured, over the measured minutes (after the warm-up).
 *
 * @param mode how calls reserved
 * @param load the nominal load the workload was generated for
 * @param offeredShare real tokens of the calls that arrived, as a share of the tokens-per-minute
 *     capacity (all models together)
 * @param callsPerMinute calls completed per minute, all models together
 * @param tpmShareUsed real tokens of the calls admitted, as a share of the tokens-per-minute capacity
 *     (all models together)
 * @param queueP50Ms median wait from a call's arrival to its admission
 * @param queueP99Ms 99th percentile of that wait
 * @param abandonedPerMinute calls given up after waiting longer than the run's maximum wait
 * @param provider429Exact admissions at which the real tokens of the window (that call included)
 *     exceeded the provider's limit, for the models counted exactly: provider 429s that would have
 *     happened
 * @param provider429Estimated the same for the models whose tokens are estimated
 * @param debtTokens overage recorded as debt on the tokens-per-minute keys (SPEC 2.3)
 */
record RunResult(
        ReservationMode mode,
        double load,
        double offeredShare,
        double callsPerMinute,
        double tpmShareUsed,
        long queueP50Ms,
        long queueP99Ms,
        double abandonedPerMinute,
        long provider429Exact,
        long provider429Estimated,
        long debtTokens) {}
