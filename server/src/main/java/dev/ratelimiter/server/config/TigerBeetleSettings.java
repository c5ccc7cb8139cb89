package dev.ratelimiter.server.config;

import static dev.ratelimiter.server.config.InvalidSettingException.requireRange;
import static dev.ratelimiter.server.config.InvalidSettingException.requireText;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.math.BigInteger;
import java.util.List;

/**
 * How to reach the TigerBeetle cluster and how the backend batches and bounds its work (SPEC 5.2),
 * bound to {@code ratelimiter.tigerbeetle.*}. Checked at start whichever backend is chosen, so a
 * typo surfaces before the backend is switched. The bounds here are those of the backend's own
 * settings; the form of each address is checked by the backend (see
 * {@code dev.ratelimiter.server.lifecycle.BackendFactory}). Immutable and thread-safe.
 *
 * @param clusterId the cluster id, a u128 in decimal (a string, because it does not fit a long)
 * @param addresses replica addresses as TigerBeetle accepts them: {@code 3000}, {@code 127.0.0.1:3000}
 *     or {@code [::1]:3000} (host names such as {@code localhost} are rejected by the client)
 * @param batchSizeMax most events in one {@code create_transfers} request; TigerBeetle's limit is 8189
 * @param flushIntervalMicros how long the submitter waits to fill a batch before sending it
 * @param requestTimeoutMs every request to TigerBeetle fails with {@code backend_error} after this long
 * @param queueCapacity most reserve and complete chains waiting for a request; past it a call
 *     answers {@code backend_error} at once instead of queueing
 * @param inFlightRequestsMax most requests outstanding in the TigerBeetle client at once, including
 *     ones that timed out and still wait for the cluster
 * @param leaseRecordsMax most lease records kept in memory for complete and idempotent repeats; past
 *     it the records nearest to expiry are dropped (their holds still expire in TigerBeetle)
 */
@ConfigurationProperties("ratelimiter.tigerbeetle")
public record TigerBeetleSettings(
        String clusterId,
        List<String> addresses,
        int batchSizeMax,
        long flushIntervalMicros,
        long requestTimeoutMs,
        int queueCapacity,
        int inFlightRequestsMax,
        int leaseRecordsMax) {

    /** TigerBeetle's own limit of events per request. */
    public static final int BATCH_SIZE_LIMIT = 8189;
    private static final BigInteger U128_MAX = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    public TigerBeetleSettings {
        clusterId = requireText("ratelimiter.tigerbeetle.cluster-id", clusterId);
        if (!clusterId.matches("[0-9]{1,39}") || new BigInteger(clusterId).compareTo(U128_MAX) > 0) {
            throw new InvalidSettingException("ratelimiter.tigerbeetle.cluster-id",
                    "must be a decimal number from 0 to 2^128-1, got \"" + clusterId + "\"");
        }
        if (addresses == null || addresses.isEmpty()) {
            throw new InvalidSettingException("ratelimiter.tigerbeetle.addresses", "must name at least one replica");
        }
        addresses = addresses.stream().map(address -> requireText("ratelimiter.tigerbeetle.addresses", address)).toList();
        requireRange("ratelimiter.tigerbeetle.batch-size-max", batchSizeMax, 1, BATCH_SIZE_LIMIT);
        requireRange("ratelimiter.tigerbeetle.flush-interval-micros", flushIntervalMicros, 0, 1_000_000);
        requireRange("ratelimiter.tigerbeetle.request-timeout-ms", requestTimeoutMs, 1, 600_000);
        requireRange("ratelimiter.tigerbeetle.queue-capacity", queueCapacity, 1, 10_000_000);
        requireRange("ratelimiter.tigerbeetle.in-flight-requests-max", inFlightRequestsMax, 1, 1_024);
        requireRange("ratelimiter.tigerbeetle.lease-records-max", leaseRecordsMax, 1, 100_000_000);
    }

    /** The cluster id as a number from 0 to 2^128-1. */
    public BigInteger clusterIdValue() {
        return new BigInteger(clusterId);
    }
}
