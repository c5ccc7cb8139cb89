package dev.ratelimiter.core.ids;

import java.util.Objects;

/**
 * A ULID (Universally Unique Lexicographically Sortable Identifier, github.com/ulid/spec): 128
 * bits made of a 48-bit timestamp in milliseconds since the Unix epoch followed by 80 random bits,
 * written as 26 characters of Crockford's base32 (digits and uppercase letters without I, L, O
 * and U). The text sorts like the bits, so ids sort by creation time.
 *
 * <p>Held as two longs like {@link java.util.UUID}: {@code mostSignificantBits} is the timestamp
 * (48 bits) followed by the first 16 random bits, {@code leastSignificantBits} the other 64 random
 * bits. Immutable and thread-safe. Ordering ({@link #compareTo}) is unsigned, as the text's.
 */
public final class Ulid implements Comparable<Ulid> {
    /** The length of the text form. */
    public static final int LENGTH = 26;
    /** The largest timestamp a ULID can carry: 2^48 - 1 ms, in the year 10889. */
    public static final long MAX_TIMESTAMP_MILLIS = (1L << 48) - 1;

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    /** Maps an ASCII character to its 5-bit value, or -1 when it is not in the alphabet. */
    private static final byte[] DECODE = new byte[128];

    static {
        java.util.Arrays.fill(DECODE, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            DECODE[ALPHABET[i]] = (byte) i;
            DECODE[Character.toLowerCase(ALPHABET[i])] = (byte) i;
        }
    }

    private final long mostSignificantBits;
    private final long leastSignificantBits;

    private Ulid(long mostSignificantBits, long leastSignificantBits) {
        this.mostSignificantBits = mostSignificantBits;
        this.leastSignificantBits = leastSignificantBits;
    }

    /** The ULID with these 128 bits, most significant half first. */
    public static Ulid fromBits(long mostSignificantBits, long leastSignificantBits) {
        return new Ulid(mostSignificantBits, leastSignificantBits);
    }

    /**
     * The ULID of {@code timestampMillis} with the 80-bit random part made of {@code randomHigh16}
     * (its lowest 16 bits) and {@code randomLow64}.
     *
     * @throws IllegalArgumentException when the timestamp is negative or above
     *     {@link #MAX_TIMESTAMP_MILLIS}, or {@code randomHigh16} has bits above the lowest 16
     */
    public static Ulid of(long timestampMillis, long randomHigh16, long randomLow64) {
        if (timestampMillis < 0 || timestampMillis > MAX_TIMESTAMP_MILLIS) {
            throw new IllegalArgumentException(
                    "timestampMillis: must be from 0 to " + MAX_TIMESTAMP_MILLIS + ", got " + timestampMillis);
        }
        if ((randomHigh16 & ~0xFFFFL) != 0) {
            throw new IllegalArgumentException("randomHigh16: must fit in 16 bits, got " + randomHigh16);
        }
        return new Ulid((timestampMillis << 16) | randomHigh16, randomLow64);
    }

    /**
     * Reads the text form. Letters are accepted in either case (the ULID spec is case-insensitive);
     * I, L, O and U are refused, as is a first character above '7' (more than 128 bits).
     *
     * @throws IllegalArgumentException naming the rule the text breaks
     */
    public static Ulid parse(String text) {
        Objects.requireNonNull(text, "text");
        String problem = problemOf(text);
        if (problem != null) {
            throw new IllegalArgumentException("not a ULID: " + problem);
        }
        long most = 0;
        long least = 0;
        for (int i = 0; i < LENGTH; i++) {
            long value = DECODE[text.charAt(i)];
            // Shift the 128-bit number left by 5 and add the next digit; the first digit has only
            // 3 significant bits, so nothing is lost off the top.
            most = (most << 5) | (least >>> 59);
            least = (least << 5) | value;
        }
        return new Ulid(most, least);
    }

    /** Whether {@code text} is the text form of a ULID, as {@link #parse} reads it. */
    public static boolean isValid(String text) {
        return text != null && problemOf(text) == null;
    }

    private static String problemOf(String text) {
        if (text.length() != LENGTH) {
            return "must be " + LENGTH + " characters, got " + text.length();
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = text.charAt(i);
            if (c >= 128 || DECODE[c] < 0) {
                return "must hold only Crockford base32 characters [0-9A-HJKMNP-TV-Z], found '" + c + "' at position "
                        + i;
            }
        }
        if (DECODE[text.charAt(0)] > 7) {
            return "the first character must be from '0' to '7' (128 bits), found '" + text.charAt(0) + "'";
        }
        return null;
    }

    /** Milliseconds since the Unix epoch when this id was made (its first 48 bits). */
    public long timestampMillis() {
        return mostSignificantBits >>> 16;
    }

    public long mostSignificantBits() {
        return mostSignificantBits;
    }

    public long leastSignificantBits() {
        return leastSignificantBits;
    }

    /** The 26-character text form in uppercase Crockford base32. */
    @Override
    public String toString() {
        char[] text = new char[LENGTH];
        long most = mostSignificantBits;
        long least = leastSignificantBits;
        for (int i = LENGTH - 1; i >= 0; i--) {
            text[i] = ALPHABET[(int) (least & 31)];
            // Shift the 128-bit number right by 5.
            least = (least >>> 5) | (most << 59);
            most >>>= 5;
        }
        return new String(text);
    }

    @Override
    public int compareTo(Ulid other) {
        int byMost = Long.compareUnsigned(mostSignificantBits, other.mostSignificantBits);
        return byMost != 0 ? byMost : Long.compareUnsigned(leastSignificantBits, other.leastSignificantBits);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Ulid
                && ((Ulid) other).mostSignificantBits == mostSignificantBits
                && ((Ulid) other).leastSignificantBits == leastSignificantBits;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(mostSignificantBits) * 31 + Long.hashCode(leastSignificantBits);
    }
}
