package dev.ratelimiter.server.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * A configured bearer token, kept only as its SHA-256 digest. A presented token is compared by
 * digest with {@link MessageDigest#isEqual}, which takes the same time whichever byte differs; both
 * digests have 32 bytes, so not even the configured token's length shows in the time of a refusal.
 * Immutable and thread-safe; {@link #toString()} never shows the token.
 */
public final class BearerToken {
    /** Longer tokens are refused at start: a header that size is a mistake, and the header limit would cut it. */
    static final int LENGTH_MAX = 4096;

    private final byte[] digest;

    private BearerToken(byte[] digest) {
        this.digest = digest;
    }

    /**
     * The token configured in {@code property}, if any. Blank (or unset) means none. Surrounding
     * whitespace is trimmed, as in every other text setting.
     *
     * @throws InvalidSettingException when the token holds a character a header cannot carry (only
     *     visible ASCII is allowed) or is longer than 4096 characters; the message never shows the token
     */
    static Optional<BearerToken> configured(String property, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String token = value.strip();
        if (token.length() > LENGTH_MAX) {
            throw new InvalidSettingException(
                    property, "must be at most " + LENGTH_MAX + " characters, got " + token.length());
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new InvalidSettingException(
                        property,
                        "must hold visible ASCII characters only (no spaces)," + " but character " + (i + 1)
                                + " is not one (the value is not shown: it is a secret)");
            }
        }
        return Optional.of(new BearerToken(sha256(token)));
    }

    /** Whether {@code presented} is this token, in time that does not depend on where they differ. */
    public boolean matches(String presented) {
        return MessageDigest.isEqual(digest, sha256(presented));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "BearerToken[hidden]";
    }
}
