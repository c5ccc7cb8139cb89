package dev.ratelimiter.server.access;

import dev.ratelimiter.core.model.LimitChange;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.core.wire.WireCodec;
import jakarta.inject.Singleton;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one structured line for every admin change that was saved (SPEC 3): a JSON object with the
 * time, the peer, the key, and the old and new state, on the logger {@value #LOGGER} at INFO, so that
 * an operator can route audit lines to their own file. Nothing about the request's credentials is in
 * it. Thread-safe: the codec and the logger are.
 */
@Singleton
public final class AdminAudit {
    /** The logger name of audit lines. */
    public static final String LOGGER = "ratelimiterd.audit";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private final WireCodec codec;
    private final Clock clock = Clock.system();

    public AdminAudit(WireCodec codec) {
        this.codec = codec;
    }

    /** Logs {@code change}, asked for by {@code peer}. */
    public void limitChanged(InetSocketAddress peer, LimitChange change) {
        String time = Instant.ofEpochMilli(clock.nowMillis()).toString();
        String line = new String(codec.writeLimitChange(time, peerText(peer), change), StandardCharsets.UTF_8);
        LOG.info(line);
    }

    /** {@code 127.0.0.1:4242}, {@code [::1]:4242}: the address without a host name lookup. */
    static String peerText(InetSocketAddress peer) {
        String host = peer.getAddress() == null
                ? peer.getHostString()
                : peer.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + peer.getPort();
    }
}
