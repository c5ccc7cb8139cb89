package dev.ratelimiter.chaos.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free local ports for servers started by the suites. Stateless and thread-safe. */
public final class Ports {
    private Ports() {
    }

    /**
     * A port that was free a moment ago. Another process may take it before the server binds it;
     * the server then fails to start and says so in its output, which the start failure quotes.
     */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }
}
