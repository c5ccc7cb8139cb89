package dev.ratelimiter.server.connections;

import dev.ratelimiter.server.config.ConnectionSettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts two bounds into every connection's Netty pipeline that Micronaut has no setting for:
 *
 * <ul>
 *   <li><b>Connections</b>: at most {@code ratelimiter.connections.max} open at once, and at most
 *       {@code max-per-peer} from one address, so one client opening thousands of connections cannot
 *       use up the server's file descriptors or lock other clients out. A connection beyond a bound
 *       is closed as soon as it is accepted, before it reaches an event loop or a byte is read.</li>
 *   <li><b>Request read time</b>: once the first byte of a request arrives, the whole request (head
 *       and body; on TLS the handshake too) must arrive within {@code request-read-timeout-ms}, or
 *       the connection is closed. Micronaut's read-idle timeout alone cannot stop a client that
 *       sends one byte a second (every byte resets it); this bound can.</li>
 * </ul>
 *
 * Idle connections, header size and body size are bounded by Micronaut's own settings
 * ({@code micronaut.server.idle-timeout}, {@code micronaut.server.netty.max-header-size},
 * {@code micronaut.server.max-request-size}); see application.yml.
 *
 * <p>Thread-safe: the counts are shared (see {@link ConnectionCounts}); each connection's own state
 * lives in its handler and is touched only by that connection's event loop.
 */
@Singleton
public final class ConnectionGuard
        implements BeanCreatedEventListener<NettyServerCustomizer.Registry>, NettyServerCustomizer {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final String ACCEPT_HANDLER = "ratelimiter-connection-bound";
    private static final String GUARD_HANDLER = "ratelimiter-request-clock";
    private static final String REQUEST_END_HANDLER = "ratelimiter-request-end";
    private static final long WARNING_INTERVAL_NANOS = 10_000_000_000L;

    private final ConnectionCounts counts;
    private final long requestReadTimeoutMs;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong slowRequests = new AtomicLong();
    /** When a refusal was last logged; racy by design (an extra line is harmless). */
    private volatile long lastWarningNanos = System.nanoTime() - WARNING_INTERVAL_NANOS;

    public ConnectionGuard(ConnectionSettings settings, MeterRegistry registry) {
        this.counts = new ConnectionCounts(settings.max(), settings.maxPerPeer());
        this.requestReadTimeoutMs = settings.requestReadTimeoutMs();
        Gauge.builder("ratelimiter.connections.open", counts, ConnectionCounts::open)
                .description("client connections open now")
                .register(registry);
        FunctionCounter.builder("ratelimiter.connections.refused", refused, AtomicLong::get)
                .description("connections closed at once because a connection bound was reached")
                .register(registry);
        FunctionCounter.builder("ratelimiter.connections.slow.requests", slowRequests, AtomicLong::get)
                .description("connections closed because a request took longer than request-read-timeout-ms to arrive")
                .register(registry);
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(this);
        return event.getBean();
    }

    /**
     * On the listening channel, the connection bound goes in front of Netty's acceptor, so a refused
     * connection is closed on the accepting thread before it is registered with an event loop or
     * given a pipeline: thousands of refusals cost the event loops that serve other clients nothing.
     * On each accepted connection, the request clock goes in.
     */
    @Override
    public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
        if (role == ChannelRole.LISTENER) {
            channel.pipeline().addFirst(ACCEPT_HANDLER, new AcceptBound());
            return this;
        }
        return role == ChannelRole.CONNECTION ? new OneConnection(channel) : this;
    }

    /** Connections open now. */
    public int openConnections() {
        return counts.open();
    }

    /** Connections closed at once since the start because a bound was reached. */
    public long refusedConnections() {
        return refused.get();
    }

    /** Connections closed since the start because a request arrived too slowly. */
    public long slowRequests() {
        return slowRequests.get();
    }

    private void refusedOne(InetAddress peer) {
        refused.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastWarningNanos >= WARNING_INTERVAL_NANOS) {
            lastWarningNanos = now;
            LOG.warn(
                    "Refusing connections: {} open (bounds: ratelimiter.connections.max and max-per-peer), latest from"
                            + " {}; {} refused since the start",
                    counts.open(),
                    peer.getHostAddress(),
                    refused.get());
        }
    }

    /** The customizer of one connection: adds the guard first, and the request-end marker after the HTTP codec. */
    private final class OneConnection implements NettyServerCustomizer {
        private final Channel channel;
        private final Guard guard = new Guard();

        OneConnection(Channel channel) {
            this.channel = channel;
        }

        @Override
        public void onInitialPipelineBuilt() {
            channel.pipeline().addFirst(GUARD_HANDLER, guard);
        }

        @Override
        public void onStreamPipelineBuilt() {
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) != null
                    && pipeline.get(REQUEST_END_HANDLER) == null) {
                pipeline.addAfter(
                        ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC,
                        REQUEST_END_HANDLER,
                        new RequestEnd(guard));
            }
        }
    }

    /**
     * On the listening channel, before Netty's acceptor: each message is a connection just accepted.
     * One within the bounds is counted (and uncounted when it closes) and passed on; one beyond them
     * is closed at once, unregistered, as Netty's acceptor itself closes a connection it cannot
     * register. Runs on the listening channel's thread only.
     */
    @Sharable
    private final class AcceptBound extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (message instanceof Channel connection
                    && connection.remoteAddress() instanceof InetSocketAddress remote) {
                InetAddress peer = remote.getAddress();
                if (!counts.tryOpen(peer)) {
                    refusedOne(peer);
                    connection.unsafe().closeForcibly();
                    return;
                }
                connection.closeFuture().addListener(closed -> counts.close(peer));
            }
            ctx.fireChannelRead(message);
        }
    }

    /**
     * First in a connection's pipeline: starts the request clock at the first byte of each request.
     * Confined to the connection's event loop.
     */
    private final class Guard extends ChannelInboundHandlerAdapter {
        private ScheduledFuture<?> deadline;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (deadline == null) {
                deadline = ctx.executor().schedule(() -> tooSlow(ctx), requestReadTimeoutMs, TimeUnit.MILLISECONDS);
            }
            ctx.fireChannelRead(message);
        }

        /** The last part of a request has arrived: the clock stops until the next request's first byte. */
        void requestEnded() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }

        private void tooSlow(ChannelHandlerContext ctx) {
            if (deadline != null) {
                deadline = null;
                slowRequests.incrementAndGet();
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            requestEnded();
            ctx.fireChannelInactive();
        }
    }

    /** After the HTTP codec: tells the guard when a request has arrived whole. */
    private static final class RequestEnd extends ChannelInboundHandlerAdapter {
        private final Guard guard;

        RequestEnd(Guard guard) {
            this.guard = guard;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (message instanceof LastHttpContent) {
                guard.requestEnded();
            }
            ctx.fireChannelRead(message);
        }
    }
}
