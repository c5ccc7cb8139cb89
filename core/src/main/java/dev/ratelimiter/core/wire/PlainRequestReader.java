package dev.ratelimiter.core.wire;

import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reads reserve and complete bodies (single and batch) straight from their bytes when they are
 * written plainly, as every client writes them: strings of printable ASCII without escapes, integers
 * of at most 18 digits, JSON whitespace anywhere between tokens. The first of {@link WireCodec}'s
 * three readers; it costs a fraction of a Jackson parser, which the admission calls paid per body.
 *
 * <p>Like {@link FastRequestReader}, it only ever accepts: every method answers the decoded request,
 * or {@code null} for any body it does not read as a well-formed request of exactly the expected
 * shape, including every body that is well formed but not plain (an escape, a non-ASCII character, a
 * longer number). On {@code null} the codec hands the body to {@code FastRequestReader}, and from
 * there to the tree model, which words the error. So it must never accept what those reject, and
 * what it accepts it decodes to the same values: the same fields required, optional and refused, a
 * repeated field declined, {@code job_id} null as empty, {@code actuals} absent or null as empty,
 * nothing after the document but whitespace.
 *
 * <p>Not thread-safe: one instance reads one body.
 */
final class PlainRequestReader {
    private static final byte[] LEASE_ID = ascii("lease_id");
    private static final byte[] JOB_ID = ascii("job_id");
    private static final byte[] REQUIREMENTS = ascii("requirements");
    private static final byte[] ACTUALS = ascii("actuals");
    private static final byte[] KEY = ascii("key");
    private static final byte[] AMOUNT = ascii("amount");
    private static final byte[] ACTUAL_AMOUNT = ascii("actual_amount");
    private static final byte[] REQUESTS = ascii("requests");
    private static final byte[] NULL = ascii("null");
    /** Longer integers are left to Jackson, so that every accepted one fits a long without a check. */
    private static final int MAX_DIGITS = 18;
    /** How many distinct keys one body shares strings for, as {@code FastRequestReader} does. */
    private static final int MAX_KEYS = 16;

    private final byte[] body;
    private int at;
    /** Set by {@link #name()}: where the last field name starts, and its length. */
    private int nameStart;

    private int nameLength;
    private final String[] keys = new String[MAX_KEYS];
    private int keyCount;

    private PlainRequestReader(byte[] body) {
        this.body = body;
    }

    static ReserveRequest reserve(byte[] body) {
        PlainRequestReader reader = new PlainRequestReader(body);
        return reader.end(reader.reserveObject());
    }

    static CompleteRequest complete(byte[] body) {
        PlainRequestReader reader = new PlainRequestReader(body);
        return reader.end(reader.completeObject());
    }

    /** The batch's requests, all well formed and plain, 1 to {@code maxItems} of them; else null. */
    static List<ReserveRequest> reserveBatch(byte[] body, int maxItems) {
        PlainRequestReader reader = new PlainRequestReader(body);
        return reader.end(reader.batch(maxItems, reader::reserveObject));
    }

    static List<CompleteRequest> completeBatch(byte[] body, int maxItems) {
        PlainRequestReader reader = new PlainRequestReader(body);
        return reader.end(reader.batch(maxItems, reader::completeObject));
    }

    /** {@code value} when only whitespace follows it, else null. */
    private <T> T end(T value) {
        if (value == null || body == null) {
            return null;
        }
        skipSpace();
        return at == body.length ? value : null;
    }

    private <T> List<T> batch(int maxItems, Supplier<T> item) {
        if (body == null || !take('{') || !name() || !nameIs(REQUESTS) || !take('[')) {
            return null;
        }
        List<T> items = new ArrayList<>(Math.min(maxItems, 256));
        do {
            if (items.size() == maxItems) {
                return null;
            }
            T value = item.get();
            if (value == null) {
                return null;
            }
            items.add(value);
        } while (take(','));
        return take(']') && take('}') ? items : null;
    }

    private ReserveRequest reserveObject() {
        if (body == null || !take('{')) {
            return null;
        }
        String leaseId = null;
        String jobId = null;
        List<Requirement> requirements = null;
        do {
            if (!name()) {
                return null;
            }
            if (nameIs(LEASE_ID) && leaseId == null) {
                leaseId = string();
                if (leaseId == null) {
                    return null;
                }
            } else if (nameIs(JOB_ID) && jobId == null) {
                jobId = stringOrNull();
                if (jobId == null) {
                    return null;
                }
            } else if (nameIs(REQUIREMENTS) && requirements == null) {
                requirements = keyAmounts(AMOUNT, Requirement::new);
                if (requirements == null) {
                    return null;
                }
            } else {
                return null;
            }
        } while (take(','));
        if (!take('}') || leaseId == null || requirements == null) {
            return null;
        }
        return new ReserveRequest(leaseId, jobId == null ? "" : jobId, requirements);
    }

    private CompleteRequest completeObject() {
        if (body == null || !take('{')) {
            return null;
        }
        String leaseId = null;
        String jobId = null;
        List<Actual> actuals = null;
        boolean actualsSeen = false;
        do {
            if (!name()) {
                return null;
            }
            if (nameIs(LEASE_ID) && leaseId == null) {
                leaseId = string();
                if (leaseId == null) {
                    return null;
                }
            } else if (nameIs(JOB_ID) && jobId == null) {
                jobId = stringOrNull();
                if (jobId == null) {
                    return null;
                }
            } else if (nameIs(ACTUALS) && !actualsSeen) {
                actualsSeen = true;
                if (literalNull()) {
                    actuals = List.of();
                } else {
                    actuals = keyAmounts(ACTUAL_AMOUNT, Actual::new);
                    if (actuals == null) {
                        return null;
                    }
                }
            } else {
                return null;
            }
        } while (take(','));
        if (!take('}') || leaseId == null) {
            return null;
        }
        return new CompleteRequest(leaseId, jobId == null ? "" : jobId, actuals == null ? List.of() : actuals);
    }

    private interface KeyAmount<T> {
        T of(String key, long amount);
    }

    /** {@code [{"key": <string>, <amountName>: <integer>}, ...]}, possibly empty; else null. */
    private <T> List<T> keyAmounts(byte[] amountName, KeyAmount<T> make) {
        if (!take('[')) {
            return null;
        }
        List<T> list = new ArrayList<>(4);
        if (take(']')) {
            return list;
        }
        do {
            T item = keyAmount(amountName, make);
            if (item == null) {
                return null;
            }
            list.add(item);
        } while (take(','));
        return take(']') ? list : null;
    }

    private <T> T keyAmount(byte[] amountName, KeyAmount<T> make) {
        if (!take('{')) {
            return null;
        }
        String key = null;
        long amount = 0;
        boolean hasAmount = false;
        do {
            if (!name()) {
                return null;
            }
            if (nameIs(KEY) && key == null) {
                key = key();
                if (key == null) {
                    return null;
                }
            } else if (nameIs(amountName) && !hasAmount) {
                skipSpace();
                int start = at;
                amount = integer();
                if (at == start) {
                    return null;
                }
                hasAmount = true;
            } else {
                return null;
            }
        } while (take(','));
        return take('}') && key != null && hasAmount ? make.of(key, amount) : null;
    }

    // ---- tokens -----------------------------------------------------------------------------

    /** Skips whitespace, then consumes {@code c} if it is next. */
    private boolean take(char c) {
        skipSpace();
        if (at < body.length && body[at] == c) {
            at++;
            return true;
        }
        return false;
    }

    private void skipSpace() {
        while (at < body.length) {
            byte b = body[at];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            at++;
        }
    }

    /** A plain field name and its colon; sets {@link #nameStart} and {@link #nameLength}. */
    private boolean name() {
        int length = plainString();
        if (length < 0) {
            return false;
        }
        nameStart = at - length - 1;
        nameLength = length;
        return take(':');
    }

    private boolean nameIs(byte[] expected) {
        if (nameLength != expected.length) {
            return false;
        }
        for (int i = 0; i < nameLength; i++) {
            if (body[nameStart + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Consumes a plain string ({@code "..."} of printable ASCII, no backslash) after whitespace and
     * answers its length, the position left after its closing quote; -1 when the next value is not
     * one.
     */
    private int plainString() {
        if (!take('"')) {
            return -1;
        }
        int start = at;
        while (at < body.length) {
            byte b = body[at];
            if (b == '"') {
                at++;
                return at - 1 - start;
            }
            if (b < 0x20 || b > 0x7e || b == '\\') {
                return -1;
            }
            at++;
        }
        return -1;
    }

    private String string() {
        int length = plainString();
        return length < 0 ? null : new String(body, at - 1 - length, length, StandardCharsets.ISO_8859_1);
    }

    /** A string, or "" for {@code null}; null when the value is neither. */
    private String stringOrNull() {
        return literalNull() ? "" : string();
    }

    /** A key, sharing one string per distinct key within the body. */
    private String key() {
        int length = plainString();
        if (length < 0) {
            return null;
        }
        int start = at - 1 - length;
        for (int k = 0; k < keyCount; k++) {
            if (sameText(keys[k], start, length)) {
                return keys[k];
            }
        }
        String key = new String(body, start, length, StandardCharsets.ISO_8859_1);
        if (keyCount < MAX_KEYS) {
            keys[keyCount++] = key;
        }
        return key;
    }

    private boolean sameText(String key, int start, int length) {
        if (key.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (key.charAt(i) != body[start + i]) {
                return false;
            }
        }
        return true;
    }

    private boolean literalNull() {
        skipSpace();
        if (at + NULL.length > body.length) {
            return false;
        }
        for (int i = 0; i < NULL.length; i++) {
            if (body[at + i] != NULL[i]) {
                return false;
            }
        }
        int after = at + NULL.length;
        if (after < body.length && isWordByte(body[after])) {
            return false;
        }
        at = after;
        return true;
    }

    /**
     * An integer as JSON spells it ({@code -?(0|[1-9][0-9]*)}, at most {@link #MAX_DIGITS} digits) not
     * followed by a fraction, an exponent or another word character, starting right at {@link #at};
     * leaves {@link #at} where it was when there is none.
     */
    private long integer() {
        int start = at;
        int i = at;
        boolean negative = i < body.length && body[i] == '-';
        if (negative) {
            i++;
        }
        int firstDigit = i;
        long value = 0;
        while (i < body.length && body[i] >= '0' && body[i] <= '9') {
            value = value * 10 + (body[i] - '0');
            i++;
        }
        int digits = i - firstDigit;
        boolean leadingZero = digits > 1 && body[firstDigit] == '0';
        if (digits == 0 || digits > MAX_DIGITS || leadingZero || (i < body.length && isNumberContinuation(body[i]))) {
            at = start;
            return 0;
        }
        at = i;
        return negative ? -value : value;
    }

    private static boolean isNumberContinuation(byte b) {
        return b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-' || isWordByte(b);
    }

    private static boolean isWordByte(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_' || b < 0;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
