package dev.ratelimiter.tigerbeetle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class TigerBeetleSettingsTest {
    private final TigerBeetleSettings defaults = TigerBeetleSettings.of(BigInteger.ZERO, List.of("3000"));

    @Test
    void acceptsPortsAndIpAddressesWithPorts() {
        TigerBeetleSettings settings =
                TigerBeetleSettings.of(LedgerId.U128_MAX, List.of("3000", "127.0.0.1:3001", "[::1]:3002"));
        assertEquals(3, settings.addresses().size());
        assertEquals(8189, settings.batchSizeMax());
    }

    @Test
    void namesTheFieldAndTheRuleOfEveryViolation() {
        assertMessage(
                "clusterId must be from 0 to 2^128-1",
                () -> TigerBeetleSettings.of(BigInteger.ONE.negate(), List.of("3000")));
        assertMessage(
                "clusterId must be from 0 to 2^128-1",
                () -> TigerBeetleSettings.of(BigInteger.ONE.shiftLeft(128), List.of("3000")));
        assertMessage(
                "addresses must name at least one replica", () -> TigerBeetleSettings.of(BigInteger.ZERO, List.of()));
        assertMessage(
                "addresses[1] must be a port",
                () -> TigerBeetleSettings.of(BigInteger.ZERO, List.of("3000", "localhost:3001")));
        assertMessage(
                "addresses[0] must have a port from 1 to 65535",
                () -> TigerBeetleSettings.of(BigInteger.ZERO, List.of("70000")));
        assertMessage("batchSizeMax must be from 1 to 8189", () -> defaults.withBatchSizeMax(8190));
        assertMessage("batchSizeMax must be from 1 to 8189", () -> defaults.withBatchSizeMax(0));
        assertMessage("flushInterval must be from 0 to 1 s", () -> defaults.withFlushInterval(Duration.ofMillis(-1)));
        assertMessage("requestTimeout must be from 1 ms to 10 min", () -> defaults.withRequestTimeout(Duration.ZERO));
        assertMessage("queueCapacity must be from 1", () -> defaults.withQueueCapacity(0));
        assertMessage("inFlightRequestsMax must be from 1", () -> defaults.withInFlightRequestsMax(0));
        assertMessage("leaseRecordsMax must be from 1", () -> defaults.withLeaseRecordsMax(0));
    }

    private static void assertMessage(String expected, Executable executable) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, executable);
        assertTrue(error.getMessage().startsWith(expected), error.getMessage());
    }
}
