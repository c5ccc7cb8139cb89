package dev.ratelimiter.stepdefs.api;

import java.nio.charset.StandardCharsets;

/** The paths of SPEC 3, in one place. Stateless. */
public final class Routes {
    public static final String RESERVE = "/v1/reserve";
    public static final String COMPLETE = "/v1/complete";
    public static final String RESERVE_BATCH = "/v1/reserve/batch";
    public static final String COMPLETE_BATCH = "/v1/complete/batch";
    public static final String LIMITS = "/v1/admin/limits";
    public static final String HEALTH = "/healthz";
    /** Every admin path starts with it. */
    public static final String ADMIN_PREFIX = "/v1/admin";
    /** Every path of the API starts with it. */
    public static final String API_PREFIX = "/v1/";

    private Routes() {}

    /** The path of one limit; the key is percent-encoded as one path segment. */
    public static String limit(String key) {
        return LIMITS + "/" + encodeSegment(key);
    }

    /**
     * Percent-encodes everything but the characters RFC 3986 allows in a path segment unencoded
     * (unreserved, sub-delims, ':' and '@'), so that a key with '/', '?', '#' or '%' stays one segment.
     */
    static String encodeSegment(String segment) {
        StringBuilder out = new StringBuilder(segment.length());
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean plain = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=:@".indexOf(c) >= 0;
            if (plain) {
                out.append(c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
