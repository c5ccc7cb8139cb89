package dev.ratelimiter.bench.http;

import dev.ratelimiter.bench.support.BenchLimits;
import dev.ratelimiter.bench.support.LeaseIds;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.wire.WireCodec;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What: ratelimiterd over real HTTP, started in the benchmark's JVM with the memory backend on a
 * random port, driven by 8 threads, each with its own keep-alive connection ({@link
 * KeepAliveConnection}):
 * <ul>
 *   <li>{@code healthz}: {@code GET /healthz}, the server's cheapest endpoint: the HTTP ceiling, what
 *       the server, Netty and the loopback cost per request before any limiter work;</li>
 *   <li>{@code reserveSingle}: {@code POST /v1/reserve} of one lease on the four LLM keys;</li>
 *   <li>{@code reserveBatch}: {@code POST /v1/reserve/batch} of {@code batchSize} such leases; the
 *       {@code items} counter is leases per second.</li>
 * </ul>
 *
 * <p>Why: the HTTP API is how services use the limiter. Targets (reported, never asserted): a
 * single reserve reaches at least 70% of the ceiling's rate, and a batch reserve at least 10x the
 * single reserve's item rate. Both are ratios within one run: client and server share this
 * machine's cores, so absolute numbers say more about the machine than about the server.
 *
 * <p>Warm-up is longer than elsewhere (10 x 3 s): the server's JIT compiles Netty's and Micronaut's
 * request path while the client threads compete for the same cores, and on this 2-core machine the
 * rate kept rising for 20 to 25 s.
 *
 * <p>Each runs with the memory backend's journal ({@code journal} parameter) {@code off}, {@code on}
 * (the default: decided on the event loop, answered by the journal's writer after the fsync) and
 * {@code pool} (the other design: calls on the admission pool, whose threads wait for the fsync), so
 * that the journal's cost and the two designs are measured in one run; {@code reserveSingleLatency}
 * samples the latency of a single reserve (p50, p99) for the same three.
 *
 * <p>The heap is touched at start ({@code -XX:+AlwaysPreTouch}): without it a fork spends its whole
 * run faulting in fresh heap pages (a 1 GiB heap at tens of MB allocated a second), which charged
 * the endpoints that allocate more (a reserve) with kernel page clearing that a server running for
 * longer than a minute no longer pays: 17% of the event loops' samples in one profile.
 *
 * <p>Baseline: the ceiling endpoint is the baseline; no library in SPEC section 9's list serves HTTP.
 * Leases are never completed: their holds expire with the one-second windows of {@link BenchLimits}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-Dlogback.configurationFile=logback-bench.xml"})
@Warmup(iterations = 10, time = 3)
@Measurement(iterations = 5, time = 2)
@Threads(8)
public class HttpBenchmark {

    /** The server, started once per fork with the four benchmark keys installed. */
    @State(Scope.Benchmark)
    public static class Server {
        @Param({"off", "on", "pool"})
        String journal;

        ApplicationContext context;
        URI baseUri;
        Path directory;

        @Setup(Level.Trial)
        public void start() throws IOException {
            directory = Files.createTempDirectory("bench-server-");
            Map<String, Object> properties = new HashMap<>();
            properties.put("micronaut.server.port", -1);
            properties.put(
                    "ratelimiter.registry-path",
                    directory.resolve("registry.json").toString());
            properties.put("ratelimiter.seed-limits-path", "");
            if (journal.equals("off")) {
                properties.put("ratelimiter.memory.journal-path", "");
            } else if (journal.equals("pool")) {
                properties.put("ratelimiter.memory.journal-wait-on-pool", true);
            }
            // Netty waits 2 s of quiet before its event loops stop; nothing is in flight at teardown.
            properties.put("micronaut.netty.event-loops.default.shutdown-quiet-period", "0s");
            properties.put("micronaut.server.netty.parent.shutdown-quiet-period", "0s");
            properties.put("micronaut.server.netty.worker.shutdown-quiet-period", "0s");
            context = ApplicationContext.builder().properties(properties).start();
            EmbeddedServer server = context.getBean(EmbeddedServer.class);
            server.start();
            baseUri = server.getURI();
            WireCodec codec = new WireCodec();
            try (KeepAliveConnection admin = new KeepAliveConnection(baseUri)) {
                for (LimitDefinition definition : BenchLimits.FOUR_KEY_DEFINITIONS) {
                    requireOk(admin.put("/v1/admin/limits", codec.write(definition)), "PUT " + definition.key());
                }
                requireAdmitted(admin, codec, "before the run");
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            try (KeepAliveConnection probe = new KeepAliveConnection(baseUri)) {
                requireAdmitted(probe, new WireCodec(), "after the run");
            } finally {
                context.close();
                try (Stream<Path> paths = Files.walk(directory)) {
                    paths.sorted(Comparator.reverseOrder())
                            .forEach(path -> path.toFile().delete());
                }
            }
        }
    }

    /** Each thread's connection, lease ids and request bodies. */
    @State(Scope.Thread)
    public static class Client {
        KeepAliveConnection connection;
        LeaseIds ids;
        ReserveBodies bodies;

        @Setup(Level.Trial)
        public void open(Server server) throws IOException {
            connection = new KeepAliveConnection(server.baseUri);
            ids = new LeaseIds();
            bodies = new ReserveBodies(new WireCodec(), BenchLimits.FOUR_KEYS);
        }

        /** Fails the run if the server closed connections: every reconnect would be measured too. */
        @TearDown(Level.Trial)
        public void close() throws IOException {
            connection.close();
            if (connection.reconnects() > 0) {
                throw new IllegalStateException(
                        "the server closed the connection " + connection.reconnects() + " times");
            }
        }
    }

    /** How many leases one batch call carries. */
    @State(Scope.Benchmark)
    public static class Batch {
        @Param({"16", "256"})
        int batchSize;
    }

    /**
     * The count of leases reserved by batch calls, reported as {@code items} per second. JMH reads
     * every public field of this state as a counter, so nothing else lives here.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Items {
        public long items;

        @Setup(Level.Iteration)
        public void reset() {
            items = 0;
        }
    }

    @Benchmark
    public int healthz(Client client) throws IOException {
        return requireOk(client.connection.get("/healthz"), "GET /healthz");
    }

    @Benchmark
    public int reserveSingle(Client client) throws IOException {
        byte[] body = client.bodies.single(client.ids.next());
        return requireOk(client.connection.post("/v1/reserve", body), "POST /v1/reserve");
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int reserveSingleLatency(Client client) throws IOException {
        return reserveSingle(client);
    }

    @Benchmark
    public int reserveBatch(Client client, Batch batch, Items items) throws IOException {
        List<String> leaseIds = new ArrayList<>(batch.batchSize);
        for (int i = 0; i < batch.batchSize; i++) {
            leaseIds.add(client.ids.next());
        }
        int status = requireOk(
                client.connection.post("/v1/reserve/batch", client.bodies.batch(leaseIds)), "POST /v1/reserve/batch");
        items.items += batch.batchSize;
        return status;
    }

    /** A failed request fails the run: a benchmark of error answers would be meaningless. */
    static int requireOk(KeepAliveConnection.Response response, String what) {
        if (response.status() != 200) {
            throw new IllegalStateException(what + " answered " + response.status() + ": " + response.bodyText());
        }
        return response.status();
    }

    /** Reserves one probe lease and requires it to be admitted: the benchmark must measure admissions. */
    static void requireAdmitted(KeepAliveConnection connection, WireCodec codec, String when) throws IOException {
        byte[] body = codec.write(new ReserveRequest("probe-" + System.nanoTime(), "", BenchLimits.FOUR_KEYS));
        KeepAliveConnection.Response response = connection.post("/v1/reserve", body);
        requireOk(response, "probe reserve " + when);
        if (!codec.readReserveResponse(response.body()).allowed()) {
            throw new IllegalStateException("the benchmark would not measure admissions: a probe " + when
                    + " was answered " + response.bodyText());
        }
    }
}
