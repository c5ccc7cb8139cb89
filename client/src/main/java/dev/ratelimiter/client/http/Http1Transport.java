package dev.ratelimiter.client.http;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * The limiter's own HTTP/1.1 client: a pool of blocking keep-alive connections (plain or TLS), one
 * per exchange in progress; an exchange runs on its caller's thread from writing the request to
 * reading the last byte of the answer, with no other thread involved.
 *
 * <p>Why its own: measured beside the JDK's {@code HttpClient} and Apache HttpClient 5 classic under
 * the same limiter, it is the only one that meets the limiter's latency target, and it is the least
 * code (docs/DECISIONS.md, docs/BENCHMARKS.md). It speaks only what ratelimiterd needs: {@code POST}
 * of a JSON body, answers with {@code Content-Length}, chunked or to the end of the connection.
 *
 * <p>Connections: the most recently used idle connection is taken first (it is the least likely
 * to have been closed by the server); after the exchange it goes back to the pool, unless the
 * server said {@code Connection: close} or the exchange failed, then it is closed. At most
 * {@link HttpLimiterConfig#maxCallsInFlight()} connections wait idle. When a connection taken from
 * the pool fails before any byte of the answer arrived (the server closed it while it was idle),
 * the request is sent once more on a new connection within the same time bound; every request the
 * limiter sends may be repeated (SPEC 3: a reserve repeat is idempotent, a complete may always be
 * repeated).
 *
 * <p>Thread-safe: the idle connections are guarded by {@code this}; every open connection is also
 * in a concurrent set so that {@link #close()} can end exchanges in progress.
 */
final class Http1Transport implements HttpTransport {
    private final String host;
    private final int port;
    private final SSLSocketFactory tls;
    private final long connectTimeoutMs;
    private final int maxIdleConnections;
    /** Path prefix of the base URI, without a trailing slash. */
    private final String basePath;
    /** Everything of the request head after the path and before {@code Content-Length}. */
    private final byte[] headMiddle;

    private final ArrayDeque<Http1Connection> idle = new ArrayDeque<>();
    private final Set<Http1Connection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Http1Transport(HttpLimiterConfig config) {
        URI base = config.baseUri();
        boolean https = "https".equalsIgnoreCase(base.getScheme());
        String uriHost = base.getHost();
        if (uriHost == null) {
            throw new IllegalArgumentException("baseUri: has no host: " + base);
        }
        this.host = uriHost.startsWith("[") ? uriHost.substring(1, uriHost.length() - 1) : uriHost;
        this.port = base.getPort() >= 0 ? base.getPort() : https ? 443 : 80;
        this.tls = https
                ? config.sslContext().orElseGet(Http1Transport::defaultContext).getSocketFactory()
                : null;
        this.connectTimeoutMs = config.connectTimeoutMs();
        this.maxIdleConnections = config.maxCallsInFlight();
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        String hostHeader = base.getPort() >= 0 ? uriHost + ":" + base.getPort() : uriHost;
        this.headMiddle = (" HTTP/1.1\r\nHost: " + hostHeader + "\r\nContent-Type: application/json\r\n"
                        + "Accept: application/json\r\n"
                        + config.apiToken()
                                .map(token -> "Authorization: Bearer " + token + "\r\n")
                                .orElse(""))
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public Response post(String path, byte[] body, long timeoutMs) throws IOException {
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, timeoutMs));
        byte[] request = encode(path, body);
        Http1Connection pooled = takeIdle();
        if (pooled != null) {
            try {
                return exchange(pooled, request, deadlineNanos);
            } catch (IOException e) {
                if (pooled.answerStarted() || e instanceof SocketTimeoutException || closed) {
                    throw e;
                }
                // The server had closed the idle connection: send once more on a new one, below.
            }
        }
        return exchange(connect(deadlineNanos), request, deadlineNanos);
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            idle.clear();
        }
        for (Http1Connection connection : List.copyOf(open)) {
            connection.close();
        }
    }

    private Response exchange(Http1Connection connection, byte[] request, long deadlineNanos) throws IOException {
        Response response;
        try {
            response = connection.exchange(request, deadlineNanos);
        } catch (IOException | RuntimeException e) {
            discard(connection);
            throw e;
        }
        if (connection.reusable()) {
            release(connection);
        } else {
            discard(connection);
        }
        return response;
    }

    private Http1Connection connect(long deadlineNanos) throws IOException {
        if (closed) {
            throw new IOException("the transport is closed");
        }
        Http1Connection connection = Http1Connection.open(host, port, tls, connectTimeoutMs, deadlineNanos);
        open.add(connection);
        if (closed) {
            // close() ran while this connection was being opened and did not see it.
            discard(connection);
            throw new IOException("the transport is closed");
        }
        return connection;
    }

    private synchronized Http1Connection takeIdle() {
        return idle.pollFirst();
    }

    private void release(Http1Connection connection) {
        synchronized (this) {
            if (!closed && idle.size() < maxIdleConnections) {
                idle.addFirst(connection);
                return;
            }
        }
        discard(connection);
    }

    private void discard(Http1Connection connection) {
        open.remove(connection);
        connection.close();
    }

    private byte[] encode(String path, byte[] body) {
        byte[] start = ("POST " + basePath + path).getBytes(StandardCharsets.ISO_8859_1);
        byte[] length = ("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[start.length + headMiddle.length + length.length + body.length];
        int at = 0;
        System.arraycopy(start, 0, request, at, start.length);
        at += start.length;
        System.arraycopy(headMiddle, 0, request, at, headMiddle.length);
        at += headMiddle.length;
        System.arraycopy(length, 0, request, at, length.length);
        at += length.length;
        System.arraycopy(body, 0, request, at, body.length);
        return request;
    }

    private static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no default TLS context: " + e.getMessage(), e);
        }
    }
}
