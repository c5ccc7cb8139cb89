package dev.ratelimiter.bench.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ratelimiter.bench.support.BenchLimits;
import dev.ratelimiter.core.wire.WireCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The spliced bodies are exactly what the codec writes for the same leases. */
class ReserveBodiesTest {
    private final ReserveBodies bodies = new ReserveBodies(new WireCodec(), BenchLimits.FOUR_KEYS);

    @Test
    void singleBodiesAreTheCodecsBytes() {
        for (String id : List.of("t0-0", "t12-1234567890123456789", "a")) {
            assertArrayEquals(bodies.encodedByCodec(id), bodies.single(id), id);
        }
    }

    @Test
    void batchBodiesAreTheCodecsBytes() {
        List<String> ids = List.of("t1-0", "t1-1", "t1-22");
        assertArrayEquals(bodies.batchEncodedByCodec(ids), bodies.batch(ids));
        assertArrayEquals(bodies.batchEncodedByCodec(List.of("x")), bodies.batch(List.of("x")));
    }

    @Test
    void refusesIdsThatWouldNeedEscaping() {
        assertThrows(IllegalArgumentException.class, () -> bodies.single("a\"b"));
    }
}
