package dev.ratelimiter.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming hot path of the codec: it decodes well-formed bodies to what the tree model decodes,
 * and declines (answers null) everything else, so that the tree model words every error. The last
 * test mutates a valid batch at random and checks that whenever the hot path accepts, the tree model
 * accepts the same items.
 */
class FastRequestReaderTest {
    private final WireCodec codec = new WireCodec();
    private final FastRequestReader fast = new FastRequestReader(JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build()
            .getFactory());

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void decodesWellFormedBodiesAsTheTreeModelDoes() {
        ReserveRequest reserve = new ReserveRequest(
                "lease-1",
                "job-1",
                List.of(
                        new Requirement("a:rpm", 1),
                        new Requirement("b:tpm", Long.MAX_VALUE),
                        new Requirement("c", Long.MIN_VALUE)));
        CompleteRequest complete = new CompleteRequest("lease-1", "", List.of(new Actual("b:tpm", 12)));
        assertEquals(reserve, fast.reserve(codec.write(reserve)));
        assertEquals(complete, fast.complete(codec.write(complete)));
        assertEquals(
                List.of(reserve, reserve), fast.reserveBatch(codec.writeReserveBatch(List.of(reserve, reserve)), 2));
        assertEquals(List.of(complete), fast.completeBatch(codec.writeCompleteBatch(List.of(complete)), 256));
        assertEquals(
                new ReserveRequest("x", "", List.of()),
                fast.reserve(json(" {\"requirements\":[],\"job_id\":null,\"lease_id\":\"x\"} \n")));
        assertEquals(
                new CompleteRequest("x", "", List.of()), fast.complete(json("{\"lease_id\":\"x\",\"actuals\":null}")));
        assertEquals(new CompleteRequest("x", "", List.of()), fast.complete(json("{\"lease_id\":\"x\"}")));
    }

    @Test
    void itemsOfABatchShareOneStringPerKey() {
        ReserveRequest first =
                new ReserveRequest("a", "", List.of(new Requirement("k:rpm", 1), new Requirement("k:tpm", 2)));
        ReserveRequest second = new ReserveRequest("b", "", List.of(new Requirement("k:tpm", 3)));
        List<ReserveRequest> read = fast.reserveBatch(codec.writeReserveBatch(List.of(first, second)), 2);

        assertEquals(List.of(first, second), read);
        assertSame(
                read.get(0).requirements().get(1).key(),
                read.get(1).requirements().get(0).key());
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
                "{\"lease_id\":\"a\",\"requirements\":[],\"x\":1}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\"}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"amount\":1}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":1.0}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":\"1\"}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":9223372036854775808}]}",
                "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":1,\"w\":2}]}",
                "{\"lease_id\":\"a\",\"requirements\":[7]}",
                "{\"lease_id\":\"a\",\"requirements\":{}}",
                "{\"lease_id\":\"a\",\"lease_id\":\"b\",\"requirements\":[]}",
                "{\"lease_id\":\"a\",\"requirements\":[]} {}",
                "{\"lease_id\":\"a\",\"requirements\":[]} x",
                "{\"lease_id\":\"a\",\"requirements\":[}",
            })
    void declinesEveryMalformedReserve(String body) {
        assertNull(fast.reserve(json(body)), body);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"lease_id\":\"a\",\"actuals\":[{\"key\":\"k\",\"actual_amount\":null}]}",
                "{\"lease_id\":\"a\",\"actuals\":[{\"key\":\"k\",\"amount\":1}]}",
                "{\"lease_id\":\"a\",\"requirements\":[]}",
                "{\"lease_id\":\"a\",\"actuals\":\"x\"}",
                "{\"actuals\":[]}",
            })
    void declinesEveryMalformedComplete(String body) {
        assertNull(fast.complete(json(body)), body);
    }

    @Test
    void declinesBatchesTheTreeModelWouldRejectOrMarkAnItemOf() {
        String valid = "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":1}]}";
        assertNotNull(fast.reserveBatch(json("{\"requests\":[" + valid + "," + valid + "]}"), 2));
        assertNull(
                fast.reserveBatch(json("{\"requests\":[" + valid + "," + valid + "," + valid + "]}"), 2), "too many");
        assertNull(fast.reserveBatch(json("{\"requests\":[]}"), 2), "empty");
        assertNull(fast.reserveBatch(json("{}"), 2), "no requests");
        assertNull(fast.reserveBatch(json("{\"requests\":[" + valid + "],\"extra\":1}"), 2), "unknown envelope field");
        assertNull(
                fast.reserveBatch(json("{\"requests\":[" + valid + "],\"requests\":[" + valid + "]}"), 2), "repeated");
        assertNull(fast.reserveBatch(json("{\"requests\":[" + valid + ",7]}"), 2), "a malformed item");
        assertNull(
                fast.completeBatch(json("{\"requests\":[{\"lease_id\":\"a\"},{\"lease_id\":3}]}"), 2),
                "a malformed item");
    }

    @Test
    void acceptsOnlyWhatTheTreeModelAcceptsUnderRandomMutations() {
        String batch =
                "{\"requests\":[{\"lease_id\":\"a1\",\"job_id\":\"j\",\"requirements\":[{\"key\":\"k:rpm\",\"amount\":1},"
                        + "{\"key\":\"k:tpm\",\"amount\":1500}]},{\"lease_id\":\"a2\",\"requirements\":[]}]}";
        String completes =
                "{\"requests\":[{\"lease_id\":\"a1\",\"actuals\":[{\"key\":\"k:tpm\",\"actual_amount\":900}]},"
                        + "{\"lease_id\":\"a2\",\"job_id\":null}]}";
        SplittableRandom random = new SplittableRandom(14);
        String alphabet = "{}[]\":,0123456789-.aeklnrstu_ ";
        for (int round = 0; round < 20_000; round++) {
            boolean reserve = round % 2 == 0;
            StringBuilder text = new StringBuilder(reserve ? batch : completes);
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                int at = random.nextInt(text.length());
                switch (random.nextInt(3)) {
                    case 0 -> text.deleteCharAt(at);
                    case 1 -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            byte[] body = json(text.toString());
            if (reserve) {
                agree(fast.reserveBatch(body, 2), () -> codec.readReserveBatchByTree(body, 2), text);
            } else {
                agree(fast.completeBatch(body, 2), () -> codec.readCompleteBatchByTree(body, 2), text);
            }
        }
    }

    /** When the hot path accepts, the tree model accepts every item, with the same values. */
    private static <T> void agree(List<T> accepted, Supplier<List<BatchItem<T>>> tree, CharSequence body) {
        if (accepted != null) {
            assertEquals(accepted.stream().map(BatchItem::of).toList(), tree.get(), body.toString());
        }
    }
}
