package dev.ratelimiter.bench.http;

import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The benchmark client's reserve bodies, single and batched, for one fixed list of requirements:
 * the bytes {@link WireCodec} writes, built by splicing each lease id between the two halves of a
 * body that the codec encoded once.
 *
 * <p>Why: client and server share the machine's cores, so whatever the client spends per request
 * is taken from the server; encoding each body with Jackson cost the client more than the server's
 * own decoding of it, and {@code /healthz}, the benchmark's ceiling, has no body at all. A real
 * caller pays its own encoding on its own machine.
 *
 * <p>Not thread-safe, and need not be: each benchmark thread has its own.
 */
final class ReserveBodies {
    /** Stands for the lease id in the body encoded once; no valid id or key spells it. */
    private static final String MARK = "LEASE_ID_MARK";

    private final byte[] head;
    private final byte[] tail;
    private final WireCodec codec;
    private final List<Requirement> requirements;

    ReserveBodies(WireCodec codec, List<Requirement> requirements) {
        this.codec = codec;
        this.requirements = requirements;
        String body = new String(codec.write(new ReserveRequest(MARK, "", requirements)), StandardCharsets.UTF_8);
        int at = body.indexOf(MARK);
        if (at < 0 || body.indexOf(MARK, at + 1) >= 0) {
            throw new IllegalStateException("the lease id mark must appear exactly once in " + body);
        }
        this.head = body.substring(0, at).getBytes(StandardCharsets.UTF_8);
        this.tail = body.substring(at + MARK.length()).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code {"lease_id":...,"requirements":[...]}} of one lease; ids are ASCII without escapes (SPEC 3). */
    byte[] single(String leaseId) {
        byte[] body = new byte[head.length + leaseId.length() + tail.length];
        int at = put(body, 0, head);
        at = putAscii(body, at, leaseId);
        put(body, at, tail);
        return body;
    }

    /** {@code {"requests":[...]}} of one lease per id. */
    byte[] batch(List<String> leaseIds) {
        byte[] start = "{\"requests\":[".getBytes(StandardCharsets.US_ASCII);
        int size = start.length + 2;
        for (String id : leaseIds) {
            size += head.length + id.length() + tail.length + 1;
        }
        byte[] body = new byte[size - (leaseIds.isEmpty() ? 0 : 1)];
        int at = put(body, 0, start);
        for (int i = 0; i < leaseIds.size(); i++) {
            if (i > 0) {
                body[at++] = ',';
            }
            at = put(body, at, head);
            at = putAscii(body, at, leaseIds.get(i));
            at = put(body, at, tail);
        }
        body[at++] = ']';
        body[at++] = '}';
        if (at != body.length) {
            throw new IllegalStateException("batch body sized " + body.length + ", written " + at);
        }
        return body;
    }

    /** The codec's own encoding of the same bodies, to check this class against. */
    byte[] encodedByCodec(String leaseId) {
        return codec.write(new ReserveRequest(leaseId, "", requirements));
    }

    byte[] batchEncodedByCodec(List<String> leaseIds) {
        return codec.writeReserveBatch(leaseIds.stream()
                .map(id -> new ReserveRequest(id, "", requirements))
                .toList());
    }

    private static int put(byte[] body, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, body, at, bytes.length);
        return at + bytes.length;
    }

    private static int putAscii(byte[] body, int at, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            char c = ascii.charAt(i);
            if (c > 0x7e || c < 0x20 || c == '"' || c == '\\') {
                throw new IllegalArgumentException("lease id needs escaping: " + ascii);
            }
            body[at++] = (byte) c;
        }
        return at;
    }
}
