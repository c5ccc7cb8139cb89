package dev.ratelimiter.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for tests that point a backend at a place where nothing answers. */
final class LoopbackPorts {
    private LoopbackPorts() {
    }

    /**
     * A loopback port where nothing listens: bound once to learn a free number, then released.
     * Another process could take it meanwhile; on a test machine that is rare enough to accept.
     */
    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("could not find a free loopback port", e);
        }
    }
}
