package dev.ratelimiter.bench.loadtest;

import dev.ratelimiter.bench.http.KeepAliveConnection;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.wire.WireCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A load target that talks to the server over one blocking keep-alive connection per worker
 * ({@link KeepAliveConnection}), like {@code wrk}, instead of through the client library.
 *
 * <p>Why: on a machine where the load generator and the server share the cores, the JDK HTTP
 * client's per-request cost (futures, a selector thread, hand-offs between threads) can exceed the
 * server's, so the generator saturates first and the run shows the client, not the server, under
 * pressure. This target costs little per request; it does none of the client library's retries, so
 * a transport failure is counted as an error.
 *
 * <p>Thread-safe: each worker thread gets a connection of its own (a thread-local); every connection
 * is also kept in a concurrent queue so that {@link #close} closes them all.
 */
final class RawHttpTarget implements LoadTarget {
    private final URI baseUri;
    private final WireCodec codec = new WireCodec();
    private final AdminClient admin;
    private final Recorder batchSizes = new Recorder(3);
    private final Queue<KeepAliveConnection> opened = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<KeepAliveConnection> connections = new ThreadLocal<>();

    /** @param access only its admin token is used (for seeding): the raw client speaks plain http without tokens */
    RawHttpTarget(URI baseUri, HttpAccess access) {
        this.baseUri = baseUri;
        this.admin = new AdminClient(baseUri, access);
    }

    @Override
    public String describe() {
        return "http " + baseUri + " (raw keep-alive client)";
    }

    @Override
    public void seed(List<LimitDefinition> definitions) {
        definitions.forEach(admin::put);
    }

    @Override
    public List<ReserveResponse> reserve(List<ReserveRequest> requests) {
        batchSizes.recordValue(requests.size());
        if (requests.size() == 1) {
            return List.of(codec.readReserveResponse(post("/v1/reserve", codec.write(requests.get(0)))));
        }
        return codec.readReserveResults(post("/v1/reserve/batch", codec.writeReserveBatch(requests)));
    }

    @Override
    public List<CompleteResponse> complete(List<CompleteRequest> requests) {
        if (requests.size() == 1) {
            return List.of(codec.readCompleteResponse(post("/v1/complete", codec.write(requests.get(0)))));
        }
        return codec.readCompleteResults(post("/v1/complete/batch", codec.writeCompleteBatch(requests)));
    }

    @Override
    public Histogram takeBatchSizes() {
        return batchSizes.getIntervalHistogram();
    }

    @Override
    public void close() {
        KeepAliveConnection connection;
        while ((connection = opened.poll()) != null) {
            try {
                connection.close();
            } catch (IOException e) {
                // The run is over; a connection that fails to close has nothing left to lose.
            }
        }
    }

    /**
     * Posts a body on this thread's connection and returns the answer's body.
     *
     * @throws IllegalStateException when the server answers anything but 200 (the worker counts it)
     * @throws UncheckedIOException when the exchange fails; the connection is dropped and the next
     *     call opens a new one
     */
    private byte[] post(String path, byte[] body) {
        try {
            KeepAliveConnection.Response response = connection().post(path, body);
            if (response.status() != 200) {
                throw new IllegalStateException(
                        "POST " + path + " answered " + response.status() + ": " + response.bodyText());
            }
            return response.body();
        } catch (IOException e) {
            KeepAliveConnection broken = connections.get();
            connections.remove();
            if (broken != null) {
                opened.remove(broken);
                try {
                    broken.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw new UncheckedIOException("POST " + path + " failed: " + e.getMessage(), e);
        }
    }

    private KeepAliveConnection connection() throws IOException {
        KeepAliveConnection connection = connections.get();
        if (connection == null) {
            connection = new KeepAliveConnection(baseUri);
            connections.set(connection);
            opened.add(connection);
        }
        return connection;
    }
}
