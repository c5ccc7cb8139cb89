package dev.ratelimiter.testkit.process;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** Ports come from below the ephemeral range and can be bound. */
class PortsTest {

    @Test
    void handsOutBindablePortsBelowTheEphemeralRange() throws IOException {
        for (int i = 0; i < 20; i++) {
            int port = Ports.free();
            assertTrue(port >= 20_000 && port <= 32_767, "port " + port);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertTrue(socket.isBound());
            }
        }
    }
}
