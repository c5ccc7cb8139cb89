package dev.ratelimiter.bench.codec;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ratelimiter.bench.support.BenchLimits;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.wire.BatchItem;
import dev.ratelimiter.core.wire.WireCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What: the server's decoding of a reserve batch body ({@code batchSize} leases on the four LLM
 * keys, as the HTTP benchmark sends) with {@link WireCodec#readReserveBatch} (the streaming reader
 * for well-formed bodies since issue 14), and the encoding of its results.
 *
 * <p>Why: the profile showed the tree model at about 40% of an HTTP batch; this measures the
 * decoder alone, in process, where a shared machine's noise is smaller than over HTTP.
 *
 * <p>Baseline: {@code treeOnly}, Jackson reading the same body into a tree with the codec's parser
 * settings (duplicate detection on) and nothing else: the first step of the codec before issue 14,
 * so a lower bound of its cost per batch (it then walked the tree and built the records).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class CodecBenchmark {
    @Param({"256"})
    int batchSize;

    WireCodec codec;
    ObjectMapper treeMapper;
    byte[] body;
    List<ReserveResponse> results;

    @Setup
    public void encode() {
        codec = new WireCodec();
        treeMapper = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        List<ReserveRequest> requests = new ArrayList<>(batchSize);
        results = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            requests.add(new ReserveRequest(String.format("01JBENCH%018d", i), "", BenchLimits.FOUR_KEYS));
            results.add(ReserveResponse.allowed(1_733_300_000_000L + i));
        }
        body = codec.writeReserveBatch(requests);
        if (codec.readReserveBatch(body, batchSize).stream().anyMatch(item -> !item.isValid())) {
            throw new IllegalStateException("the benchmark body must decode to valid items");
        }
    }

    @Benchmark
    public List<BatchItem<ReserveRequest>> readReserveBatch() {
        return codec.readReserveBatch(body, batchSize);
    }

    @Benchmark
    public JsonNode treeOnly() throws IOException {
        return treeMapper.readTree(body);
    }

    @Benchmark
    public byte[] writeReserveResults() {
        return codec.writeReserveResults(results);
    }
}
