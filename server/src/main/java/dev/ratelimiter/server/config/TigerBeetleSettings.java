package dev.ratelimiter.server.config;

import static dev.ratelimiter.server.config.InvalidSettingException.requireText;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.math.BigInteger;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * How to reach the TigerBeetle cluster and how the backend batches and bounds its work (SPEC 5.2),
 * bound to {@code ratelimiter.tigerbeetle.*}. Checked at start whichever backend is chosen, so a
 * typo surfaces before the backend is switched. The bounds are those of the backend's own settings
 * record, reported under these property names. Immutable and thread-safe.
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

    /** The server properties whose names carry a unit the backend's fields (durations) do not. */
    private static final Map<String, String> RENAMED = Map.of(
            "flushInterval", "flush-interval-micros",
            "requestTimeout", "request-timeout-ms");

    private static final String PREFIX = "ratelimiter.tigerbeetle";

    public TigerBeetleSettings {
        clusterId = requireText(PREFIX + ".cluster-id", clusterId);
        if (!clusterId.matches("[0-9]{1,39}")) {
            throw new InvalidSettingException(
                    PREFIX + ".cluster-id", "must be a decimal number from 0 to 2^128-1, got \"" + clusterId + "\"");
        }
        if (addresses == null || addresses.isEmpty()) {
            throw new InvalidSettingException(PREFIX + ".addresses", "must name at least one replica");
        }
        addresses = addresses.stream()
                .map(address -> requireText(PREFIX + ".addresses", address))
                .toList();
        // Every other bound, and the form of each address, is the backend's settings' own.
        backendSettings(
                clusterId,
                addresses,
                batchSizeMax,
                flushIntervalMicros,
                requestTimeoutMs,
                queueCapacity,
                inFlightRequestsMax,
                leaseRecordsMax);
    }

    /** The backend's settings with these values. */
    public dev.ratelimiter.tigerbeetle.TigerBeetleSettings toBackendSettings() {
        return backendSettings(
                clusterId,
                addresses,
                batchSizeMax,
                flushIntervalMicros,
                requestTimeoutMs,
                queueCapacity,
                inFlightRequestsMax,
                leaseRecordsMax);
    }

    /** @throws InvalidSettingException naming the server property when the backend refuses a value */
    private static dev.ratelimiter.tigerbeetle.TigerBeetleSettings backendSettings(
            String clusterId,
            List<String> addresses,
            int batchSizeMax,
            long flushIntervalMicros,
            long requestTimeoutMs,
            int queueCapacity,
            int inFlightRequestsMax,
            int leaseRecordsMax) {
        return InvalidSettingException.fromCore(
                PREFIX,
                RENAMED,
                () -> new dev.ratelimiter.tigerbeetle.TigerBeetleSettings(
                        new BigInteger(clusterId),
                        addresses,
                        batchSizeMax,
                        Duration.of(flushIntervalMicros, ChronoUnit.MICROS),
                        Duration.ofMillis(requestTimeoutMs),
                        queueCapacity,
                        inFlightRequestsMax,
                        leaseRecordsMax));
    }
}
