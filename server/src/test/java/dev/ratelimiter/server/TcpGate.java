package dev.ratelimiter.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on a loopback port, for tests of a backend that is away and comes back without
 * restarting it: while shut, every connection is accepted and dropped at once (the client sees its
 * replica go away and keeps trying); once {@link #open()}, connections are piped to the target.
 *
 * <p>Bounds: at most {@link #CONNECTIONS_MAX} connections at once (more are dropped like a shut
 * gate's), two daemon threads per connection and one accepting thread; {@link #close()} closes the
 * listener and every socket, which ends all of them.
 *
 * <p>Thread-safety: {@code open} is volatile; the set of live sockets is concurrent.
 */
final class TcpGate implements AutoCloseable {
    static final int CONNECTIONS_MAX = 32;
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int BUFFER_BYTES = 64 * 1024;

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean open;

    private TcpGate(ServerSocket listener, InetSocketAddress target) {
        this.listener = listener;
        this.target = target;
        daemon(this::accept, "tcp-gate-accept").start();
    }

    /**
     * A shut gate in front of {@code address}, written as TigerBeetle addresses are: a port, an
     * IPv4 address with a port, or a bracketed IPv6 address with a port.
     */
    static TcpGate shutInFrontOf(String address) {
        int colon = address.lastIndexOf(':');
        String host = colon < 0
                ? "127.0.0.1"
                : address.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(address.substring(colon + 1));
        try {
            ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            return new TcpGate(listener, new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the gate's port", e);
        }
    }

    /** The address to give the client instead of the target's. */
    String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** From now on connections reach the target. */
    void open() {
        open = true;
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // Closing a listener only fails if it is already broken; the port is released either way.
        }
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket inbound;
            try {
                inbound = listener.accept();
            } catch (IOException e) {
                return; // The listener was closed.
            }
            // Two sockets per connection.
            if (!open || sockets.size() >= 2 * CONNECTIONS_MAX) {
                closeQuietly(inbound);
                continue;
            }
            Socket outbound = new Socket();
            try {
                outbound.connect(target, CONNECT_TIMEOUT_MS);
            } catch (IOException e) {
                closeQuietly(inbound);
                closeQuietly(outbound);
                continue;
            }
            sockets.add(inbound);
            sockets.add(outbound);
            daemon(() -> pipe(inbound, outbound), "tcp-gate-in").start();
            daemon(() -> pipe(outbound, inbound), "tcp-gate-out").start();
        }
    }

    /** Copies until either side ends, then closes both, which also ends the opposite pipe. */
    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // A reset or a closed socket ends the connection; the client reconnects if it wants to.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing is left to release; a failed close of a test socket changes no outcome.
        }
    }

    private static Thread daemon(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
