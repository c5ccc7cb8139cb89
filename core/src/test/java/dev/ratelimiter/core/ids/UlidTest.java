package dev.ratelimiter.core.ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UlidTest {
    private static final String CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    @Test
    void encodesZeroAsAllZeroDigits() {
        assertEquals("00000000000000000000000000", Ulid.of(0, 0, 0).toString());
    }

    @Test
    void encodesTheLargestValueWithSevenFirst() {
        Ulid max = Ulid.fromBits(-1L, -1L);
        assertEquals("7ZZZZZZZZZZZZZZZZZZZZZZZZZ", max.toString());
        assertEquals(Ulid.MAX_TIMESTAMP_MILLIS, max.timestampMillis());
    }

    @Test
    void encodesTheTimestampOfTheSpecExample() {
        // The ULID spec's example: time 1469918176385 gives the time part 01ARYZ6S41.
        Ulid ulid = Ulid.of(1469918176385L, 0, 0);
        assertEquals("01ARYZ6S410000000000000000", ulid.toString());
        assertEquals(1469918176385L, Ulid.parse("01ARYZ6S41TSV4RRFFQ69G5FAV").timestampMillis());
    }

    @Test
    void textMatchesTheBase32OfThe128BitNumber() {
        Random random = new Random(42);
        for (int i = 0; i < 1_000; i++) {
            long most = random.nextLong();
            long least = random.nextLong();
            Ulid ulid = Ulid.fromBits(most, least);
            assertEquals(referenceEncoding(most, least), ulid.toString());
            assertEquals(ulid, Ulid.parse(ulid.toString()));
        }
    }

    @Test
    void parsesLowercaseAsUppercase() {
        assertEquals(Ulid.parse("01ARYZ6S41TSV4RRFFQ69G5FAV"), Ulid.parse("01aryz6s41tsv4rrffq69g5fav"));
    }

    @Test
    void refusesTextOfTheWrongLength() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Ulid.parse("01ARYZ6S41TSV4RRFFQ69G5FA"));
        assertEquals("not a ULID: must be 26 characters, got 25", e.getMessage());
        assertFalse(Ulid.isValid("01ARYZ6S41TSV4RRFFQ69G5FAVX"));
        assertFalse(Ulid.isValid(""));
        assertFalse(Ulid.isValid(null));
    }

    @Test
    void refusesLettersOutsideCrockfordsAlphabet() {
        for (char letter : new char[] {'I', 'L', 'O', 'U', 'i', '-', '_', 'é'}) {
            String text = "01ARYZ6S41TSV4RRFFQ69G5FA" + letter;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ulid.parse(text));
            assertTrue(e.getMessage().contains("found '" + letter + "' at position 25"), e.getMessage());
        }
    }

    @Test
    void refusesAFirstCharacterAboveSeven() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Ulid.parse("80000000000000000000000000"));
        assertTrue(e.getMessage().contains("first character must be from '0' to '7'"), e.getMessage());
        assertTrue(Ulid.isValid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ"));
    }

    @Test
    void refusesTimestampsOutside48Bits() {
        assertThrows(IllegalArgumentException.class, () -> Ulid.of(-1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Ulid.of(Ulid.MAX_TIMESTAMP_MILLIS + 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Ulid.of(0, 0x10000, 0));
    }

    @Test
    void ordersAsItsTextOrders() {
        Random random = new Random(7);
        for (int i = 0; i < 1_000; i++) {
            Ulid a = Ulid.fromBits(random.nextLong(), random.nextLong());
            Ulid b = Ulid.fromBits(random.nextLong(), random.nextLong());
            assertEquals(Integer.signum(a.toString().compareTo(b.toString())), Integer.signum(a.compareTo(b)));
        }
    }

    @Test
    void equalIdsHaveEqualHashCodes() {
        Ulid a = Ulid.of(123, 4, 5);
        Ulid b = Ulid.parse(a.toString());
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertFalse(a.equals(Ulid.of(123, 4, 6)));
    }

    /** The 128-bit number in base 32 through BigInteger, mapped to Crockford's digits. */
    private static String referenceEncoding(long most, long least) {
        BigInteger value = new BigInteger(1, new byte[] {
            (byte) (most >>> 56), (byte) (most >>> 48), (byte) (most >>> 40), (byte) (most >>> 32),
            (byte) (most >>> 24), (byte) (most >>> 16), (byte) (most >>> 8), (byte) most,
            (byte) (least >>> 56), (byte) (least >>> 48), (byte) (least >>> 40), (byte) (least >>> 32),
            (byte) (least >>> 24), (byte) (least >>> 16), (byte) (least >>> 8), (byte) least
        });
        String javaDigits = value.toString(32);
        StringBuilder text = new StringBuilder();
        for (int i = javaDigits.length(); i < Ulid.LENGTH; i++) {
            text.append('0');
        }
        for (char digit : javaDigits.toCharArray()) {
            text.append(CROCKFORD.charAt(Character.digit(digit, 32)));
        }
        return text.toString();
    }
}
