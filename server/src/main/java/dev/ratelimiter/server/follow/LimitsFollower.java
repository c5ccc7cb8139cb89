package dev.ratelimiter.server.follow;

import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.LimitChange;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.wire.InvalidRequestException;
import dev.ratelimiter.core.wire.WireCodec;
import dev.ratelimiter.server.access.AdminAudit;
import dev.ratelimiter.server.config.LimitsSourceSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this server's limits equal to those of another ratelimiterd, the source
 * ({@code ratelimiter.limits-source.url}): every poll interval it reads the source's
 * {@code GET /v1/admin/limits} and applies, through {@link LimiterService#putLimit}, every definition
 * that differs from its own (a new key, or any field of an existing one; for a key the source is
 * decreasing, the capacity it decreases to). Each server derives the status itself: a lowered
 * capacity is {@code decreasing} here, refusing new holds of the key, until this server's backend
 * says it is applied (on TigerBeetle: once the source has lowered the shared balance).
 *
 * <p>An admin change sent to this server is {@link #forward forwarded} to the source, and the
 * source's answer is relayed; on success this server syncs at once, so the change holds here when
 * the caller gets its answer, and on every other follower within one poll interval.
 *
 * <p>While the source does not answer, this server keeps the limits it has (they are in its own
 * registry, so also across a restart) and says so once in the log. Keys the source does not have
 * are left alone: there is no delete in the admin API, and a local key may be in use.
 *
 * <p>Thread-safety: {@link #syncNow} is synchronized, so the poller and a forwarded change never
 * apply definitions at the same time; the HTTP client is thread-safe.
 */
public final class LimitsFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LimitsFollower.class);
    private static final String LIMITS_PATH = "/v1/admin/limits";

    private final LimiterService service;
    private final WireCodec codec;
    private final LimitsSourceSettings settings;
    private final URI source;
    private final Consumer<LimitChange> onSaved;
    private final Runnable afterApplied;
    private final HttpClient http;
    private ScheduledExecutorService poller;

    /** Whether the last sync failed; guarded by {@code this}, so an outage is logged once. */
    private boolean failing;
    /** Definitions the service refused, so each is logged once; guarded by {@code this}. */
    private final Set<LimitDefinition> refused = new HashSet<>();

    /**
     * @param onSaved told of every change applied from the source as soon as it is saved (the audit
     *     line); runs under the service's admin lock, so it must be quick
     * @param afterApplied run after a sync that applied at least one change (the metrics' key list)
     * @throws IllegalArgumentException when {@code settings} names no source
     */
    public LimitsFollower(
            LimiterService service,
            WireCodec codec,
            LimitsSourceSettings settings,
            Consumer<LimitChange> onSaved,
            Runnable afterApplied) {
        this.service = Objects.requireNonNull(service, "service");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.source = settings.url()
                .orElseThrow(() -> new IllegalArgumentException("a follower needs " + LimitsSourceSettings.URL));
        this.onSaved = Objects.requireNonNull(onSaved, "onSaved");
        this.afterApplied = Objects.requireNonNull(afterApplied, "afterApplied");
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The base URL of the source. */
    public URI source() {
        return source;
    }

    /** Starts polling the source on a daemon thread: once at once, then every poll interval. */
    public synchronized void start() {
        if (poller != null) {
            throw new IllegalStateException("the limits follower is already running");
        }
        poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ratelimiter-limits-follower");
            thread.setDaemon(true);
            return thread;
        });
        poller.scheduleWithFixedDelay(
                this::syncQuietly, 0, settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Reads the source's limits and applies every definition that differs from this server's.
     *
     * @return how many definitions were applied
     * @throws BackendException when the source does not answer, refuses, or answers something that
     *     is not a list of limits; nothing is applied then
     */
    public synchronized int syncNow() {
        List<LimitInfo> limits = readSource();
        Map<String, LimitDefinition> local = new HashMap<>();
        for (LimitState state : service.states()) {
            local.put(state.key(), target(state.definition(), state.status(), state.pendingDecreaseTo()));
        }
        int applied = 0;
        for (LimitInfo info : limits) {
            LimitDefinition definition = target(info.definition(), info.status(), info.pendingDecreaseTo());
            if (definition.equals(local.get(definition.key()))) {
                continue;
            }
            try {
                service.putLimit(definition, onSaved);
                applied++;
            } catch (InvalidRequestException e) {
                if (refused.add(definition)) {
                    LOG.warn(
                            "limit {} of the limits source {} is not applied here: {}",
                            definition.key(),
                            source,
                            e.detail());
                }
            } catch (BackendException e) {
                // Saved here but not yet installed (the service retries), or not saved (the next poll retries).
                LOG.warn("limit {} from the limits source {}: {}", definition.key(), source, e.getMessage());
                applied++;
            }
        }
        if (failing) {
            failing = false;
            LOG.info("the limits source {} answers again", source);
        }
        if (applied > 0) {
            afterApplied.run();
        }
        return applied;
    }

    /**
     * Sends an admin change to the source and returns its answer as is. On success, applies the
     * source's limits here before returning, so that a read of this server right after sees it.
     * {@code caller} (address and port) goes along for the source's audit line.
     *
     * @throws BackendException when the source does not answer within the timeout, or refuses this
     *     server's credentials (401 or 403: the caller, who passed this server's own access check,
     *     cannot fix that; {@code ratelimiter.limits-source.token} can)
     */
    public Forwarded forward(byte[] body, String caller) {
        HttpRequest request = request(LIMITS_PATH)
                .header("Content-Type", "application/json")
                .header(AdminAudit.FORWARDED_FOR, caller)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<byte[]> response = send(request, "the admin change");
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            // The source refused this server's credentials, not the caller's: a setting to fix here.
            throw new BackendException("the limits source " + source + " refused this server's admin change with "
                    + response.statusCode() + " (" + brief(response.body()) + "); set " + LimitsSourceSettings.TOKEN
                    + " to the source's admin token");
        }
        if (response.statusCode() / 100 == 2) {
            try {
                syncNow();
            } catch (BackendException e) {
                LOG.warn(
                        "the limits source {} took a change, but reading it back failed; the next poll retries: {}",
                        source,
                        e.getMessage());
            }
        }
        return new Forwarded(response.statusCode(), response.body());
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }

    /** The source's answer to a forwarded change: status and body, relayed unchanged. */
    public record Forwarded(int status, byte[] body) {}

    private void syncQuietly() {
        try {
            syncNow();
        } catch (BackendException e) {
            synchronized (this) {
                if (!failing) {
                    failing = true;
                    LOG.warn(
                            "the limits source does not answer; keeping the limits this server has: {}",
                            e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            // The poller must survive anything one poll meets; the next one tries again.
            LOG.warn("syncing limits from {} failed; retrying on the next poll", source, e);
        }
    }

    /**
     * Where a key is heading: its definition, or, while it is decreasing, the definition with the
     * capacity it decreases to. A follower applies the source's target, so a key the source is
     * lowering is {@code decreasing} here too and admits nothing new until the holds of every
     * server leave room (SPEC 2.4); comparing plain definitions would keep admitting here at the old
     * capacity and could starve the source's decrease.
     */
    private static LimitDefinition target(LimitDefinition definition, LimitStatus status, long pendingDecreaseTo) {
        return status == LimitStatus.DECREASING ? definition.withCapacity(pendingDecreaseTo) : definition;
    }

    private List<LimitInfo> readSource() {
        HttpResponse<byte[]> response = send(request(LIMITS_PATH).GET().build(), "its limits");
        if (response.statusCode() != 200) {
            throw new BackendException("the limits source " + source + " answered " + response.statusCode()
                    + " to GET " + LIMITS_PATH + ": " + brief(response.body())
                    + (response.statusCode() == 401 || response.statusCode() == 403
                            ? " (set " + LimitsSourceSettings.TOKEN + " to the source's admin token)"
                            : ""));
        }
        try {
            return codec.readLimits(response.body());
        } catch (RuntimeException e) {
            throw new BackendException(
                    "the limits source " + source + " answered GET " + LIMITS_PATH
                            + " with something that is not a list of limits: " + e.getMessage(),
                    e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(source + path)).timeout(settings.timeout());
        settings.token().ifPresent(token -> builder.header("Authorization", "Bearer " + token));
        return builder;
    }

    private HttpResponse<byte[]> send(HttpRequest request, String what) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new BackendException("the limits source " + source + " did not answer for " + what + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while asking the limits source " + source + " for " + what, e);
        }
    }

    private static String brief(byte[] body) {
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }
}
