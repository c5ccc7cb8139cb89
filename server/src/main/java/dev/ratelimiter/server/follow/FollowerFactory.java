package dev.ratelimiter.server.follow;

import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.wire.WireCodec;
import dev.ratelimiter.server.access.AdminAudit;
import dev.ratelimiter.server.config.LimitsSourceSettings;
import dev.ratelimiter.server.metrics.AdmissionMetrics;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import java.net.InetSocketAddress;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the {@link LimitsFollower} when {@code ratelimiter.limits-source.url} names a source, as
 * soon as the limiter is open; without a source there is no follower bean at all.
 */
@Factory
public final class FollowerFactory {
    private static final Logger LOG = LoggerFactory.getLogger(FollowerFactory.class);

    /**
     * The follower, polling. Each change applied from the source is audited with the source as
     * the peer that asked for it, and the metrics learn of new keys at once.
     */
    @Context
    @Bean(preDestroy = "close")
    @Requires(property = LimitsSourceSettings.URL, pattern = ".*\\S.*")
    LimitsFollower limitsFollower(
            LimiterService service,
            WireCodec codec,
            LimitsSourceSettings settings,
            AdminAudit audit,
            AdmissionMetrics metrics) {
        URI source = settings.url().orElseThrow();
        InetSocketAddress peer = InetSocketAddress.createUnresolved(source.getHost(), port(source));
        LimitsFollower follower = new LimitsFollower(
                service, codec, settings, change -> audit.limitChanged(peer, change), metrics::limitsChanged);
        follower.start();
        LOG.info(
                "Following the limits of {} (every {} ms): admin changes sent here are forwarded there",
                follower.source(),
                settings.pollInterval().toMillis());
        return follower;
    }

    private static int port(URI url) {
        if (url.getPort() >= 0) {
            return url.getPort();
        }
        return "https".equals(url.getScheme()) ? 443 : 80;
    }
}
