package dev.ratelimiter.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The byte-level reader decodes plainly written bodies to what the token-stream reader decodes (which
 * its own test ties to the tree model), and declines everything else: malformed bodies, and well
 * formed ones that are not plain, which the other readers then take.
 */
class PlainRequestReaderTest {
    private final WireCodec codec = new WireCodec();
    private final FastRequestReader fast = new FastRequestReader(JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build()
            .getFactory());

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void decodesWhatTheCodecWrites() {
        ReserveRequest reserve = new ReserveRequest(
                "lease-1",
                "job-1",
                List.of(
                        new Requirement("a:rpm", 1),
                        new Requirement("b:tpm", 999_999_999_999_999_999L),
                        new Requirement("c", -999_999_999_999_999_999L),
                        new Requirement("d", 0)));
        CompleteRequest complete = new CompleteRequest("lease-1", "", List.of(new Actual("b:tpm", 12)));
        assertEquals(reserve, PlainRequestReader.reserve(codec.write(reserve)));
        assertEquals(complete, PlainRequestReader.complete(codec.write(complete)));
        assertEquals(
                List.of(reserve, reserve),
                PlainRequestReader.reserveBatch(codec.writeReserveBatch(List.of(reserve, reserve)), 2));
        assertEquals(
                List.of(complete), PlainRequestReader.completeBatch(codec.writeCompleteBatch(List.of(complete)), 256));
        assertEquals(
                new ReserveRequest("x", "", List.of()),
                PlainRequestReader.reserve(json(" {\"requirements\":[ ],\"job_id\":null,\"lease_id\":\"x\"} \n")));
        assertEquals(
                new CompleteRequest("x", "", List.of()),
                PlainRequestReader.complete(json("{\r\n\t\"lease_id\" : \"x\" , \"actuals\" : null }")));
        assertEquals(
                new CompleteRequest("x", "", List.of()), PlainRequestReader.complete(json("{\"lease_id\":\"x\"}")));
    }

    @Test
    void itemsOfABatchShareOneStringPerKey() {
        ReserveRequest first =
                new ReserveRequest("a", "", List.of(new Requirement("k:rpm", 1), new Requirement("k:tpm", 2)));
        ReserveRequest second = new ReserveRequest("b", "", List.of(new Requirement("k:tpm", 3)));
        List<ReserveRequest> read = PlainRequestReader.reserveBatch(codec.writeReserveBatch(List.of(first, second)), 2);

        assertEquals(List.of(first, second), read);
        assertSame(
                read.get(0).requirements().get(1).key(),
                read.get(1).requirements().get(0).key());
    }

    /** Well formed, so the other readers take them, but not plain: this reader declines them. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"lease_id\":\"a\\u0041\",\"requirements\":[]}",
                "{\"lease_id\":\"caf\u00e9\",\"requirements\":[]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":1234567890123456789}]}",
                "{\"lease_\\u0069d\":\"a\",\"requirements\":[]}",
                "\uFEFF{\"lease_id\":\"a\",\"requirements\":[]}",
            })
    void declinesWellFormedBodiesThatAreNotPlain(String body) {
        assertNull(PlainRequestReader.reserve(json(body)), body);
        assertEquals(codec.readReserveRequest(json(body)), fast.reserve(json(body)), body);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " ",
                "null",
                "[]",
                "{}",
                "{\"lease_id\":\"a\"}",
                "{\"lease_id\":\"a\",\"requirements\":null}",
                "{\"lease_id\":null,\"requirements\":[]}",
                "{\"lease_id\":5,\"requirements\":[]}",
                "{\"lease_id\":\"a\",\"job_id\":false,\"requirements\":[]}",
                "{\"lease_id\":\"a\",\"job_id\":nullx,\"requirements\":[]}",
                "{\"lease_id\":\"a\",\"requirements\":[],\"x\":1}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\"}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"amount\":1}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":1.0}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":1e3}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":01}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":-}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\": x}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":\"1\"}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":9223372036854775808}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":1,\"w\":2}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":1,\"amount\":2}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":1},]}",
                "{\"lease_id\":\"a\",\"requirements\":[7]}",
                "{\"lease_id\":\"a\",\"requirements\":{}}",
                "{\"lease_id\":\"a\",\"lease_id\":\"b\",\"requirements\":[]}",
                "{\"lease_id\":\"a\",\"job_id\":null,\"job_id\":\"j\",\"requirements\":[]}",
                "{\"lease_id\":\"a\",\"requirements\":[]} {}",
                "{\"lease_id\":\"a\",\"requirements\":[]} x",
                "{\"lease_id\":\"a\",\"requirements\":[}",
                "{\"lease_id\":\"a\",\"requirements\":[],}",
                "{\"lease_id\":\"a\tb\",\"requirements\":[]}",
                "{\"lease_id\":\"a\",\"requirements\":[]",
            })
    void declinesEveryMalformedReserve(String body) {
        assertNull(PlainRequestReader.reserve(json(body)), body);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"lease_id\":\"a\",\"actuals\":[{\"key\":\"k\",\"actual_amount\":null}]}",
                "{\"lease_id\":\"a\",\"actuals\":[{\"key\":\"k\",\"amount\":1}]}",
                "{\"lease_id\":\"a\",\"requirements\":[]}",
                "{\"lease_id\":\"a\",\"actuals\":\"x\"}",
                "{\"lease_id\":\"a\",\"actuals\":null,\"actuals\":[]}",
                "{\"actuals\":[]}",
            })
    void declinesEveryMalformedComplete(String body) {
        assertNull(PlainRequestReader.complete(json(body)), body);
    }

    @Test
    void declinesBatchesTheOtherReadersWouldRejectOrMarkAnItemOf() {
        String valid = "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":1}]}";
        assertEquals(
                2,
                PlainRequestReader.reserveBatch(json("{\"requests\":[" + valid + "," + valid + "]}"), 2)
                        .size());
        assertNull(
                PlainRequestReader.reserveBatch(json("{\"requests\":[" + valid + "," + valid + "," + valid + "]}"), 2));
        assertNull(PlainRequestReader.reserveBatch(json("{\"requests\":[]}"), 2), "empty");
        assertNull(PlainRequestReader.reserveBatch(json("{}"), 2), "no requests");
        assertNull(PlainRequestReader.reserveBatch(json("{\"requests\":[" + valid + "],\"extra\":1}"), 2));
        assertNull(PlainRequestReader.reserveBatch(
                json("{\"requests\":[" + valid + "],\"requests\":[" + valid + "]}"), 2));
        assertNull(PlainRequestReader.reserveBatch(json("{\"requests\":[" + valid + ",7]}"), 2));
        assertNull(PlainRequestReader.completeBatch(json("{\"requests\":[{\"lease_id\":\"a\"},{\"lease_id\":3}]}"), 2));
    }

    /**
     * Random edits of valid batches (and of their items alone): whenever this reader accepts, the
     * token-stream reader accepts the same body with the same values; and it accepts at least once.
     */
    @Test
    void acceptsOnlyWhatTheTokenStreamReaderAcceptsUnderRandomMutations() {
        String reserves =
                "{\"requests\":[{\"lease_id\":\"a1\",\"job_id\":\"j\",\"requirements\":[{\"key\":\"k:rpm\",\"amount\":1},"
                        + "{\"key\":\"k:tpm\",\"amount\":1500}]},{\"lease_id\":\"a2\",\"requirements\":[]}]}";
        String completes =
                "{\"requests\":[{\"lease_id\":\"a1\",\"actuals\":[{\"key\":\"k:tpm\",\"actual_amount\":900}]},"
                        + "{\"lease_id\":\"a2\",\"job_id\":null}]}";
        String reserve = "{\"lease_id\":\"a1\",\"job_id\":\"j\",\"requirements\":[{\"key\":\"k:rpm\",\"amount\":-10}]}";
        String complete = "{\"lease_id\":\"a1\",\"actuals\":[{\"key\":\"k:tpm\",\"actual_amount\":0}]}";
        SplittableRandom random = new SplittableRandom(14);
        String alphabet = "{}[]\":,0123456789-+.eaklnrstu_ \t\\";
        int accepted = 0;
        for (int round = 0; round < 40_000; round++) {
            int kind = round % 4;
            StringBuilder text =
                    new StringBuilder(kind == 0 ? reserves : kind == 1 ? completes : kind == 2 ? reserve : complete);
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                int at = random.nextInt(text.length());
                switch (random.nextInt(3)) {
                    case 0 -> text.deleteCharAt(at);
                    case 1 -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            byte[] body = json(text.toString());
            Object plain;
            Object stream;
            switch (kind) {
                case 0 -> {
                    plain = PlainRequestReader.reserveBatch(body, 2);
                    stream = fast.reserveBatch(body, 2);
                }
                case 1 -> {
                    plain = PlainRequestReader.completeBatch(body, 2);
                    stream = fast.completeBatch(body, 2);
                }
                case 2 -> {
                    plain = PlainRequestReader.reserve(body);
                    stream = fast.reserve(body);
                }
                default -> {
                    plain = PlainRequestReader.complete(body);
                    stream = fast.complete(body);
                }
            }
            if (plain != null) {
                accepted++;
                assertEquals(stream, plain, text.toString());
            }
        }
        assertEquals(true, accepted > 1_000, "accepted " + accepted);
    }
}
