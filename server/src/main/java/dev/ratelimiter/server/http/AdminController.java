package dev.ratelimiter.server.http;

import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.PutLimitResponse;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.wire.ErrorBody;
import dev.ratelimiter.core.wire.WireCodec;
import dev.ratelimiter.server.access.AdminAudit;
import dev.ratelimiter.server.follow.LimitsFollower;
import dev.ratelimiter.server.lifecycle.LimiterServiceFactory;
import dev.ratelimiter.server.lifecycle.WorkerPool;
import dev.ratelimiter.server.metrics.AdmissionMetrics;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.Put;
import jakarta.inject.Named;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The admin API (SPEC 3): set a limit durably, list limits with their usage, read one limit.
 * Runs on the admin pool, so admin calls never queue behind admission calls on a slow backend.
 * Who may call it is the {@link AccessFilter}'s business; every saved change is audited. A server
 * that follows another's limits forwards changes to it ({@link LimitsFollower}).
 */
@Controller("/v1/admin/limits")
@Produces(MediaType.APPLICATION_JSON)
public final class AdminController {
    private final LimiterService service;
    private final WireCodec codec;
    private final AdmissionMetrics metrics;
    private final WorkerPool pool;
    private final AdminAudit audit;
    /** Set when this server follows another's limits: admin changes go there. */
    private final LimitsFollower follower;

    public AdminController(
            LimiterService service,
            WireCodec codec,
            AdmissionMetrics metrics,
            @Named(LimiterServiceFactory.ADMIN_POOL) WorkerPool pool,
            AdminAudit audit,
            @Nullable LimitsFollower follower) {
        this.service = service;
        this.follower = follower;
        this.audit = audit;
        this.codec = codec;
        this.metrics = metrics;
        this.pool = pool;
    }

    /**
     * Saves a definition; once it is durable, the change is written to the audit log with the peer
     * that asked. On a server that follows another's limits, the body goes to that server and its
     * answer comes back as it is; the change is applied here before the answer.
     */
    @Put(consumes = MediaType.ALL)
    public CompletableFuture<HttpResponse<byte[]>> put(@Body byte[] body, HttpRequest<?> request) {
        InetSocketAddress peer = request.getRemoteAddress();
        if (follower != null) {
            return pool.submit(() -> {
                LimitsFollower.Forwarded answer = follower.forward(body, AdminAudit.peerText(peer));
                return JsonResponses.of(HttpStatus.valueOf(answer.status()), answer.body());
            });
        }
        Optional<String> forwardedFor =
                AdminAudit.forwardedFor(request.getHeaders().get(AdminAudit.FORWARDED_FOR));
        return pool.submit(() -> {
            LimitDefinition definition = codec.readLimitDefinition(body);
            PutLimitResponse response =
                    service.putLimit(definition, change -> audit.limitChanged(peer, forwardedFor, change));
            metrics.limitsChanged();
            return JsonResponses.ok(codec.write(response));
        });
    }

    @Get
    public CompletableFuture<HttpResponse<byte[]>> list() {
        return pool.submit(() -> JsonResponses.ok(codec.writeLimits(service.limits())));
    }

    /** Keys contain colons (and may contain slashes), so the variable takes the rest of the path. */
    @Get("/{+key}")
    public CompletableFuture<HttpResponse<byte[]>> one(@PathVariable("key") String key) {
        return pool.submit(() -> service.limit(key)
                .<HttpResponse<byte[]>>map(info -> JsonResponses.ok(codec.writeLimit(info)))
                .orElseGet(() -> JsonResponses.of(
                        HttpStatus.NOT_FOUND,
                        codec.write(new ErrorBody(ErrorCodes.NOT_FOUND, "key: no limit is named \"" + key + "\"")))));
    }
}
