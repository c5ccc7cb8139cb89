package dev.ratelimiter.testkit.process;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A stand-in for {@code ratelimiterd} in {@link ServerProcessTest}: the main class of a small jar
 * the test writes, so that the launcher's start, health wait, signals and output are tested
 * without building the real server. Listens on the port from {@code -Dmicronaut.server.port} or
 * {@code MICRONAUT_SERVER_PORT} and answers {@code /healthz} with 200; prints what it was given;
 * with {@code -Dfake.exit-code=N} it refuses to start and exits with N, as a misconfigured server does.
 */
public final class FakeServerMain {
    private FakeServerMain() {}

    public static void main(String[] args) throws IOException {
        String exitCode = System.getProperty("fake.exit-code");
        if (exitCode != null) {
            System.out.println("ERROR refusing to start: fake.exit-code=" + exitCode);
            System.exit(Integer.parseInt(exitCode));
        }
        String port = System.getProperty("micronaut.server.port", System.getenv("MICRONAUT_SERVER_PORT"));
        HttpServer server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(port)), 16);
        server.createContext("/healthz", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        System.out.println("started on " + port + " with greeting=" + System.getProperty("fake.greeting") + " in "
                + System.getProperty("user.dir"));
    }
}
