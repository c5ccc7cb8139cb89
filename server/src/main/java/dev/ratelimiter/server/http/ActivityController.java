package dev.ratelimiter.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.ratelimiter.server.lifecycle.LimiterServiceFactory;
import dev.ratelimiter.server.lifecycle.WorkerPool;
import dev.ratelimiter.server.metrics.AdmissionActivity;
import dev.ratelimiter.server.metrics.AdmissionActivity.KeyActivity;
import dev.ratelimiter.server.metrics.AdmissionActivity.Snapshot;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import jakarta.inject.Named;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/admin/activity}: admissions, denials and failures per key over the last five
 * minutes, in buckets, for the dashboard (an extension of SPEC 3, described in openapi.yml). An
 * admin call: the {@link AccessFilter} applies the admin rule to this controller. Runs on the admin
 * pool like the other admin reads. The body is written here rather than by core's codec because it
 * is a server-only view with no request or client counterpart. Stateless and thread-safe.
 */
@Controller("/v1/admin/activity")
@Produces(MediaType.APPLICATION_JSON)
public final class ActivityController {
    private static final JsonFactory JSON = new JsonFactory();

    private final AdmissionActivity activity;
    private final WorkerPool pool;

    public ActivityController(AdmissionActivity activity, @Named(LimiterServiceFactory.ADMIN_POOL) WorkerPool pool) {
        this.activity = activity;
        this.pool = pool;
    }

    @Get
    public CompletableFuture<HttpResponse<byte[]>> activity() {
        return pool.submit(() -> JsonResponses.ok(write(activity.snapshot())));
    }

    /** {@code {"bucket_seconds","buckets","now_unix_ms","keys":[{"key","allowed","denied","failed"}]}} */
    static byte[] write(Snapshot snapshot) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("bucket_seconds", AdmissionActivity.BUCKET_SECONDS);
            g.writeNumberField("buckets", AdmissionActivity.BUCKETS);
            g.writeNumberField("now_unix_ms", snapshot.nowUnixMs());
            g.writeArrayFieldStart("keys");
            for (KeyActivity key : snapshot.keys()) {
                g.writeStartObject();
                g.writeStringField("key", key.key());
                writeCounts(g, "allowed", key.allowed());
                writeCounts(g, "denied", key.denied());
                writeCounts(g, "failed", key.failed());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            // A generator over a byte array does no I/O; this cannot happen short of a Jackson bug.
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeCounts(JsonGenerator g, String field, long[] counts) throws IOException {
        g.writeFieldName(field);
        g.writeArray(counts, 0, counts.length);
    }
}
