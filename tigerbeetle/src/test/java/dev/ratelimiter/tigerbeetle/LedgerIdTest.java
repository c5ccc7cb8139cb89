package dev.ratelimiter.tigerbeetle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Ids are SHA-256 of a label, first 16 bytes little-endian (SPEC 5.2). The expected values were
 * computed outside Java ({@code int.from_bytes(hashlib.sha256(label).digest()[:16], 'little')}), so
 * they pin the byte order and the label text, not this implementation.
 */
class LedgerIdTest {
    private final LedgerIds ids = LedgerIds.standard();

    @Test
    void derivesIdsFromFixedVectors() {
        assertEquals(
                new BigInteger("316392352987504918237824478017109097640"),
                LedgerId.fromLabel("acct:operator").toBigInteger());
        assertEquals(
                new BigInteger("123931979813166490453304099548200722782"),
                LedgerId.fromLabel("acct:limit:global:llm:openai:gpt-4o:rpm").toBigInteger());
        assertEquals(
                new BigInteger("257615083128342852724238128241561788729"),
                LedgerId.fromLabel("xfer:reserve:lease-1:k").toBigInteger());
    }

    @Test
    void namesEveryAccountAndTransferWithTheLabelsOfTheSpec() {
        assertEquals(
                new BigInteger("316392352987504918237824478017109097640"),
                ids.operatorAccount().toBigInteger());
        assertEquals(
                new BigInteger("123931979813166490453304099548200722782"),
                ids.limitAccount("global:llm:openai:gpt-4o:rpm").toBigInteger());
        assertEquals(
                new BigInteger("257615083128342852724238128241561788729"),
                ids.reserve("lease-1", "k").toBigInteger());
        assertEquals(
                new BigInteger("220841617659729683714140448897303421212"),
                ids.debtAccount("k").toBigInteger());
        assertEquals(
                new BigInteger("241995080826450016702359108420973794554"),
                ids.voidOf("lease-1", "k").toBigInteger());
        assertEquals(
                new BigInteger("174769236143273841537474921457394665164"),
                ids.rereserve("lease-1", "k").toBigInteger());
        assertEquals(
                new BigInteger("106514947840132928271459494293318297753"),
                ids.debt("lease-1", "k").toBigInteger());
    }

    @Test
    void flipsTheLowestBitOfZero() {
        LedgerId id = LedgerId.fromDigest(new byte[32]);
        assertEquals(BigInteger.ONE, id.toBigInteger());
    }

    @Test
    void flipsTheLowestBitOfTheLargestU128() {
        byte[] digest = new byte[32];
        Arrays.fill(digest, (byte) 0xFF);
        LedgerId id = LedgerId.fromDigest(digest);
        assertEquals(LedgerId.U128_MAX.subtract(BigInteger.ONE), id.toBigInteger());
    }

    @Test
    void keepsEveryOtherValueUnchanged() {
        byte[] digest = new byte[32];
        digest[0] = 1;
        assertEquals(BigInteger.ONE, LedgerId.fromDigest(digest).toBigInteger());
        digest[0] = 0;
        digest[15] = (byte) 0x80;
        assertEquals(BigInteger.ONE.shiftLeft(127), LedgerId.fromDigest(digest).toBigInteger());
    }

    @Test
    void readsTheFirstSixteenBytesLittleEndian() {
        byte[] digest = new byte[32];
        digest[8] = 2;
        digest[16] = 9;
        assertEquals(new LedgerId(0, 2), LedgerId.fromDigest(digest));
    }

    @Test
    void convertsToAndFromBigInteger() {
        BigInteger value = new BigInteger("123931979813166490453304099548200722782");
        assertEquals(value, LedgerId.fromBigInteger(value).toBigInteger());
        assertThrows(IllegalArgumentException.class, () -> LedgerId.fromBigInteger(BigInteger.ONE.shiftLeft(128)));
        assertThrows(IllegalArgumentException.class, () -> LedgerId.fromBigInteger(BigInteger.ONE.negate()));
    }

    @Test
    void givesEveryCapacityChangeItsOwnId() {
        LedgerId first = ids.capacityChange("k", 3, 10, 5, 0);
        assertEquals(new BigInteger("321283427838178261192853330694135962006"), first.toBigInteger());
        assertNotEquals(first, ids.capacityChange("k", 4, 10, 5, 0));
        assertNotEquals(first, ids.capacityChange("k", 3, 10, 5, 1));
        assertNotEquals(first, ids.capacityChange("k", 3, 10, 6, 0));
        assertEquals(first, ids.capacityChange("k", 3, 10, 5, 0));
    }

    @Test
    void separatesNamespaces() {
        LedgerIds other = new LedgerIds("test-1/");
        assertEquals(LedgerId.fromLabel("test-1/acct:operator"), other.operatorAccount());
        assertNotEquals(ids.reserve("a", "k"), other.reserve("a", "k"));
    }

    @Test
    void fingerprintsARequirementSetRegardlessOfOrder() {
        TreeMap<String, Long> one = new TreeMap<>();
        one.put("b", 2L);
        one.put("a", 1L);
        TreeMap<String, Long> two = new TreeMap<>();
        two.put("a", 1L);
        two.put("b", 2L);
        assertEquals(LedgerIds.requirementSet(one), LedgerIds.requirementSet(two));
        two.put("b", 3L);
        assertNotEquals(LedgerIds.requirementSet(one), LedgerIds.requirementSet(two));
    }
}
