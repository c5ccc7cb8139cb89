package dev.ratelimiter.core.wire;

import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ReserveResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Writes reserve and complete answers (single and batch) straight into bytes: the hot path of
 * {@link WireCodec}'s response writers, the ones every admission call pays. Their shape is fixed
 * (booleans, 64-bit integers, and an error code), so they need neither a generator nor an
 * intermediate stream; the output is byte for byte what Jackson's generator writes for the same
 * answer.
 *
 * <p>It only writes error strings that need no escaping (printable ASCII other than {@code "} and
 * {@code \}); every code of {@code ErrorCodes} is such a string. For any other string each method
 * answers {@code null} and the codec writes that answer with Jackson, so escaping lives in one place.
 *
 * <p>Stateless and thread-safe.
 */
final class ResponseWriter {
    private static final byte[] ALLOWED_TRUE = ascii("{\"allowed\":true,\"retry_after_ms\":");
    private static final byte[] ALLOWED_FALSE = ascii("{\"allowed\":false,\"retry_after_ms\":");
    private static final byte[] RESERVED_AT = ascii(",\"reserved_at_unix_ms\":");
    private static final byte[] ERROR = ascii(",\"error\":\"");
    private static final byte[] OK_TRUE = ascii("{\"ok\":true,\"error\":\"");
    private static final byte[] OK_FALSE = ascii("{\"ok\":false,\"error\":\"");
    private static final byte[] RESULTS = ascii("{\"results\":[");
    private static final byte[] STRING_END = ascii("\"}");
    private static final byte[] RESULTS_END = ascii("]}");
    /** Longest answer without its error string: the false form with two 20-character integers. */
    private static final int RESERVE_FIXED_BYTES =
            ALLOWED_FALSE.length + RESERVED_AT.length + ERROR.length + STRING_END.length + 40;

    private ResponseWriter() {}

    /** The answer's JSON, or null when its error string needs escaping. */
    static byte[] reserve(ReserveResponse response) {
        String error = response.error();
        if (!isPlain(error)) {
            return null;
        }
        Bytes out = new Bytes(RESERVE_FIXED_BYTES + error.length());
        writeReserve(out, response, error);
        return out.toArray();
    }

    static byte[] complete(CompleteResponse response) {
        String error = response.error();
        if (!isPlain(error)) {
            return null;
        }
        Bytes out = new Bytes(OK_FALSE.length + error.length() + STRING_END.length);
        writeComplete(out, response, error);
        return out.toArray();
    }

    /** {@code {"results":[...]}} of the answers in order, or null when one error string needs escaping. */
    static byte[] reserveResults(List<ReserveResponse> results) {
        Bytes out = new Bytes(RESULTS.length + RESULTS_END.length + results.size() * (RESERVE_FIXED_BYTES + 24));
        out.put(RESULTS);
        for (int i = 0; i < results.size(); i++) {
            ReserveResponse response = results.get(i);
            String error = response.error();
            if (!isPlain(error)) {
                return null;
            }
            if (i > 0) {
                out.put((byte) ',');
            }
            writeReserve(out, response, error);
        }
        out.put(RESULTS_END);
        return out.toArray();
    }

    static byte[] completeResults(List<CompleteResponse> results) {
        Bytes out = new Bytes(RESULTS.length + RESULTS_END.length + results.size() * (OK_FALSE.length + 32));
        out.put(RESULTS);
        for (int i = 0; i < results.size(); i++) {
            CompleteResponse response = results.get(i);
            String error = response.error();
            if (!isPlain(error)) {
                return null;
            }
            if (i > 0) {
                out.put((byte) ',');
            }
            writeComplete(out, response, error);
        }
        out.put(RESULTS_END);
        return out.toArray();
    }

    private static void writeReserve(Bytes out, ReserveResponse response, String error) {
        out.put(response.allowed() ? ALLOWED_TRUE : ALLOWED_FALSE);
        out.putLong(response.retryAfterMs());
        out.put(RESERVED_AT);
        out.putLong(response.reservedAtUnixMs());
        out.put(ERROR);
        out.putAscii(error);
        out.put(STRING_END);
    }

    private static void writeComplete(Bytes out, CompleteResponse response, String error) {
        out.put(response.ok() ? OK_TRUE : OK_FALSE);
        out.putAscii(error);
        out.put(STRING_END);
    }

    /** Whether JSON writes {@code s} as it is: printable ASCII without a quote or a backslash. */
    static boolean isPlain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A growing byte array. Not thread-safe; each answer has its own. */
    private static final class Bytes {
        private static final byte[] LONG_MIN = ascii(Long.toString(Long.MIN_VALUE));

        private byte[] buffer;
        private int size;

        Bytes(int capacity) {
            buffer = new byte[capacity];
        }

        void put(byte b) {
            ensure(1);
            buffer[size++] = b;
        }

        void put(byte[] bytes) {
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buffer, size, bytes.length);
            size += bytes.length;
        }

        /** {@code s}, known to be ASCII, one byte a character. */
        void putAscii(String s) {
            int length = s.length();
            ensure(length);
            for (int i = 0; i < length; i++) {
                buffer[size++] = (byte) s.charAt(i);
            }
        }

        /** The decimal digits of {@code value}, as {@link Long#toString(long)} spells them. */
        void putLong(long value) {
            if (value == Long.MIN_VALUE) {
                put(LONG_MIN);
                return;
            }
            ensure(20);
            if (value < 0) {
                buffer[size++] = '-';
                value = -value;
            }
            int digits = 1;
            for (long rest = value / 10; rest > 0; rest /= 10) {
                digits++;
            }
            int end = size + digits;
            for (int i = end - 1; i >= size; i--) {
                buffer[i] = (byte) ('0' + (int) (value % 10));
                value /= 10;
            }
            size = end;
        }

        byte[] toArray() {
            return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
        }

        private void ensure(int more) {
            if (size + more > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
            }
        }
    }
}
