package dev.ratelimiter.bench.loadtest;

import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What the load generator drives: a limiter it can seed with limits, and reserve and complete on.
 *
 * <p>A list of one request is a single call ({@code /v1/reserve}); a longer list is one batch call
 * ({@code /v1/reserve/batch}). Answers come in request order. A call that fails as a whole throws a
 * {@link RuntimeException}, which the worker counts as an error of every item of the call.
 *
 * <p>Implementations are thread-safe: every worker calls the same target.
 */
interface LoadTarget extends AutoCloseable {

    /** A short description for the reports, e.g. {@code http http://127.0.0.1:8080}. */
    String describe();

    /** Installs (creates or replaces) every definition before the run. */
    void seed(List<LimitDefinition> definitions);

    List<ReserveResponse> reserve(List<ReserveRequest> requests);

    List<CompleteResponse> complete(List<CompleteRequest> requests);

    /**
     * How many requests each reserve call that reached the limiter carried, since the last call of
     * this method (which starts a new interval). With explicit batches every call carries the batch
     * size; with the client's batcher the sizes show how well it packed concurrent calls.
     */
    Histogram takeBatchSizes();

    @Override
    void close();
}
