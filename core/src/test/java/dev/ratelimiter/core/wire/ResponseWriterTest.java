package dev.ratelimiter.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.ReserveResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The direct writer of reserve and complete answers writes exactly the bytes Jackson's generator
 * writes, and declines (null) any error string that needs escaping, which the codec then writes with
 * Jackson.
 */
class ResponseWriterTest {
    private final WireCodec codec = new WireCodec();

    private static final List<ReserveResponse> RESERVES = List.of(
            ReserveResponse.allowed(1_796_426_125_001L),
            ReserveResponse.allowed(0),
            ReserveResponse.denied(1),
            ReserveResponse.denied(9),
            ReserveResponse.denied(10),
            ReserveResponse.denied(Long.MAX_VALUE),
            new ReserveResponse(false, Long.MIN_VALUE, -1, null),
            new ReserveResponse(false, -1234567890123L, Long.MIN_VALUE + 1, null),
            ReserveResponse.refused(Refusal.INVALID_REQUEST),
            ReserveResponse.refused(Refusal.BACKEND_ERROR, 250),
            ReserveResponse.refused(new Refusal.UnknownLimitKey("openai:gpt-4o/rpm")),
            ReserveResponse.refused(new Refusal.ExceedsCapacity("tenant~a.daily_tokens")),
            ReserveResponse.refused(new Refusal.LimitDecreasing("k")),
            ReserveResponse.refused(new Refusal.LeaseExpired("lease-1")));

    private static final List<CompleteResponse> COMPLETES = List.of(
            CompleteResponse.succeeded(),
            CompleteResponse.failed("invalid_request"),
            CompleteResponse.failed("lease_expired:lease-1"),
            CompleteResponse.failed(""));

    @Test
    void writesEveryAnswerAsJacksonDoes() {
        for (ReserveResponse response : RESERVES) {
            assertEquals(text(codec.writeWithJackson(response)), text(ResponseWriter.reserve(response)));
            assertArrayEquals(codec.writeWithJackson(response), codec.write(response));
        }
        for (CompleteResponse response : COMPLETES) {
            assertEquals(text(codec.writeWithJackson(response)), text(ResponseWriter.complete(response)));
        }
        assertEquals(
                text(codec.writeReserveResultsWithJackson(RESERVES)), text(ResponseWriter.reserveResults(RESERVES)));
        assertEquals(
                text(codec.writeCompleteResultsWithJackson(COMPLETES)),
                text(ResponseWriter.completeResults(COMPLETES)));
        assertEquals("{\"results\":[]}", text(ResponseWriter.reserveResults(List.of())));
    }

    @Test
    void writesRandomNumbersAsJacksonDoes() {
        SplittableRandom random = new SplittableRandom(14);
        List<ReserveResponse> results = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            long retry = random.nextLong() >> random.nextInt(64);
            long at = random.nextLong() >> random.nextInt(64);
            ReserveResponse response = new ReserveResponse(false, retry, at, null);
            assertArrayEquals(codec.writeWithJackson(response), ResponseWriter.reserve(response), response.toString());
            results.add(response);
        }
        assertArrayEquals(codec.writeReserveResultsWithJackson(results), ResponseWriter.reserveResults(results));
    }

    @Test
    void declinesStringsThatNeedEscapingAndTheCodecEscapesThem() {
        for (String error : List.of("quote\"d", "back\\slash", "tab\there", "new\nline", "caf\u00e9", "\u007f")) {
            CompleteResponse response = CompleteResponse.failed(error);
            assertFalse(ResponseWriter.isPlain(error), error);
            assertNull(ResponseWriter.complete(response), error);
            assertNull(ResponseWriter.completeResults(List.of(CompleteResponse.succeeded(), response)), error);
            assertArrayEquals(codec.writeWithJackson(response), codec.write(response), error);
            ReserveResponse refused = ReserveResponse.refused(new Refusal.Unrecognized(error));
            assertNull(ResponseWriter.reserve(refused), error);
            assertArrayEquals(codec.writeWithJackson(refused), codec.write(refused), error);
            assertArrayEquals(
                    codec.writeReserveResultsWithJackson(List.of(refused)),
                    codec.writeReserveResults(List.of(refused)),
                    error);
        }
        assertTrue(ResponseWriter.isPlain("exceeds_capacity:a/b:c~d.e-f"));
    }

    private static String text(byte[] json) {
        return new String(json, StandardCharsets.UTF_8);
    }
}
