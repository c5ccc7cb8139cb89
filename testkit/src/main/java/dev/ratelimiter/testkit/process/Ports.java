package dev.ratelimiter.testkit.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports: for the servers and replicas tests start, and for tests that need a port
 * where nothing listens. Stateless and thread-safe.
 */
public final class Ports {
    /**
     * Listening ports come from below Linux's default ephemeral range (32768 to 60999). A port the
     * kernel handed out as "any free port" is in that range, and outgoing connections take their
     * source ports from it too: TigerBeetle replicas and clients reconnecting every few milliseconds
     * to a killed replica took such a port between the moment it was chosen and the moment the server
     * bound it ("Address already in use").
     */
    private static final int FIRST = 20_000;

    private static final int LAST = 32_767;
    /** Tries before giving up; a busy machine has a few hundred listeners at most. */
    private static final int ATTEMPTS = 200;

    private Ports() {}

    /**
     * A port that was free a moment ago. Another process may take it before the server binds it;
     * the server then fails to start and says so in its output, which the start failure quotes.
     */
    public static int free() {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(FIRST, LAST + 1);
            try (ServerSocket socket = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // Someone listens there: try another.
            }
        }
        throw new IllegalStateException(
                "no free local port from " + FIRST + " to " + LAST + " in " + ATTEMPTS + " attempts");
    }
}
