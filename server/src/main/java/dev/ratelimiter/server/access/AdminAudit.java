package dev.ratelimiter.server.access;

import dev.ratelimiter.core.model.LimitChange;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.core.wire.WireCodec;
import jakarta.inject.Singleton;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one structured line for every admin change that was saved (SPEC 3): a JSON object with the
 * time, the peer, the key, and the old and new state, on the logger {@value #LOGGER} at INFO, so that
 * an operator can route audit lines to their own file. A change a following server forwarded also
 * names the caller it was forwarded for ({@code forwarded_for}). Nothing about the request's
 * credentials is in it. Thread-safe: the codec and the logger are.
 */
@Singleton
public final class AdminAudit {
    /** The logger name of audit lines. */
    public static final String LOGGER = "ratelimiterd.audit";
    /**
     * The header in which a following server names the caller of an admin change it forwards to
     * its source; it reaches the source's controller only after the source's own admin check.
     */
    public static final String FORWARDED_FOR = "Ratelimiter-Forwarded-For";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private final WireCodec codec;
    private final Clock clock = Clock.system();

    public AdminAudit(WireCodec codec) {
        this.codec = codec;
    }

    /** Logs {@code change}, asked for by {@code peer}. */
    public void limitChanged(InetSocketAddress peer, LimitChange change) {
        limitChanged(peer, Optional.empty(), change);
    }

    /**
     * Logs {@code change}, asked for by {@code peer} on behalf of {@code forwardedFor}: the caller a
     * following server forwarded the change for, as that server names it (see
     * {@link #forwardedFor(String)}).
     */
    public void limitChanged(InetSocketAddress peer, Optional<String> forwardedFor, LimitChange change) {
        String time = Instant.ofEpochMilli(clock.nowMillis()).toString();
        String line = new String(
                codec.writeLimitChange(time, peerText(peer), forwardedFor.orElse(null), change),
                StandardCharsets.UTF_8);
        LOG.info(line);
    }

    /**
     * The caller named by a following server's {@value #FORWARDED_FOR} header, if it looks like an
     * address and port as {@link #peerText} writes them (at most 64 characters of hex digits, dots,
     * colons and brackets); anything else is left out of the audit line rather than copied into it.
     */
    public static Optional<String> forwardedFor(String header) {
        if (header == null || header.isEmpty() || header.length() > 64) {
            return Optional.empty();
        }
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            boolean allowed = (c >= '0' && c <= '9')
                    || (c >= 'a' && c <= 'f')
                    || (c >= 'A' && c <= 'F')
                    || c == '.'
                    || c == ':'
                    || c == '['
                    || c == ']';
            if (!allowed) {
                return Optional.empty();
            }
        }
        return Optional.of(header);
    }

    /** {@code 127.0.0.1:4242}, {@code [::1]:4242}: the address without a host name lookup. */
    public static String peerText(InetSocketAddress peer) {
        String host = peer.getAddress() == null
                ? peer.getHostString()
                : peer.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + peer.getPort();
    }
}
