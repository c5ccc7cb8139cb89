package dev.ratelimiter.tigerbeetle;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A TigerBeetle id (an unsigned 128-bit integer) held as two longs, the way the Java client takes it.
 *
 * <p>Ids are derived from labels (SPEC 5.2): the first 16 bytes of the label's SHA-256, read as a
 * little-endian u128. TigerBeetle reserves 0 and 2^128-1, so those two values are moved off by
 * flipping the lowest bit. Derivation is deterministic, which is what makes every transfer safe to
 * resubmit: the same lease and key always name the same transfer. Immutable and thread-safe.
 *
 * @param low the least significant 64 bits
 * @param high the most significant 64 bits
 */
record LedgerId(long low, long high) {
    static final BigInteger U128_MAX = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    /** The id TigerBeetle uses for "none" in optional fields such as {@code pending_id}. */
    static final LedgerId NONE = new LedgerId(0, 0);

    /** The id of {@code label}: SHA-256, first 16 bytes little-endian, 0 and 2^128-1 avoided. */
    static LedgerId fromLabel(String label) {
        return fromDigest(sha256(label.getBytes(StandardCharsets.UTF_8)));
    }

    /** The id made of the first 16 bytes of {@code digest}; package-private so tests can craft edge digests. */
    static LedgerId fromDigest(byte[] digest) {
        if (digest.length < 16) {
            throw new IllegalArgumentException("a digest needs at least 16 bytes, got " + digest.length);
        }
        ByteBuffer buffer = ByteBuffer.wrap(digest, 0, 16).order(ByteOrder.LITTLE_ENDIAN);
        long low = buffer.getLong();
        long high = buffer.getLong();
        boolean reserved = (low == 0 && high == 0) || (low == -1L && high == -1L);
        if (reserved) {
            low ^= 1L;
        }
        return new LedgerId(low, high);
    }

    static LedgerId fromBigInteger(BigInteger value) {
        if (value.signum() < 0 || value.compareTo(U128_MAX) > 0) {
            throw new IllegalArgumentException("a u128 must be from 0 to 2^128-1, got " + value);
        }
        return new LedgerId(value.longValue(), value.shiftRight(64).longValue());
    }

    BigInteger toBigInteger() {
        BigInteger high64 = new BigInteger(Long.toUnsignedString(high));
        return high64.shiftLeft(64).or(new BigInteger(Long.toUnsignedString(low)));
    }

    @Override
    public String toString() {
        return toBigInteger().toString();
    }

    static byte[] sha256(byte[] input) {
        // digest() resets the instance, so each thread reuses its own.
        return SHA_256.get().digest(input);
    }

    /**
     * One SHA-256 instance per thread: every reserve derives several ids, and {@link
     * MessageDigest#getInstance} looks the provider up and instantiates it reflectively each time
     * (seen in the server's profile under load).
     */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (MessageDigest's contract), so this is a broken JDK.
            throw new IllegalStateException("the JDK provides no SHA-256", e);
        }
    });
}
