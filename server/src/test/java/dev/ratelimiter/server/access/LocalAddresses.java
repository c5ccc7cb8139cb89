package dev.ratelimiter.server.access;

import dev.ratelimiter.server.openapi.OpenApiContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A second peer address on this machine, for the rule "admin calls from loopback peers only".
 *
 * <p>A socket bound to one of this machine's own non-loopback addresses (the one {@code hostname -I}
 * shows first) and connected to 127.0.0.1 reaches the server through the loopback interface, yet the
 * server sees that non-loopback address as its peer. No packet leaves the machine, and no network
 * namespace or root is needed.
 */
final class LocalAddresses {
    private static final int TIMEOUT_MS = 10_000;

    private LocalAddresses() {}

    /** This machine's first IPv4 address that is up, not loopback and not link-local, if it has one. */
    static Optional<InetAddress> nonLoopback() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address
                            && !address.isLoopbackAddress()
                            && !address.isLinkLocalAddress()) {
                        return Optional.of(address);
                    }
                }
            }
            return Optional.empty();
        } catch (SocketException e) {
            return Optional.empty();
        }
    }

    /** Splits a whole HTTP/1.1 answer (the connection was closed after it) for the OpenAPI check. */
    private static OpenApiContract.Exchange exchangeOf(String method, String path, String answer) {
        int headEnd = answer.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            throw new AssertionError("not a whole HTTP answer: " + answer);
        }
        String[] lines = answer.substring(0, headEnd).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, List<String>> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).trim());
        }
        byte[] body = answer.substring(headEnd + 4).getBytes(StandardCharsets.UTF_8);
        return new OpenApiContract.Exchange(method, path, status, headers, body);
    }

    /**
     * Sends one HTTP/1.1 request from {@code source} to 127.0.0.1:{@code port} on a fresh connection
     * and returns the whole answer (status line, headers, body) as text; the connection is closed
     * after it. The answer is checked against openapi.yml first.
     */
    static String exchange(InetAddress source, int port, String method, String path, String body) throws IOException {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n\r\n";
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(TIMEOUT_MS);
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            String text = answer.toString(StandardCharsets.UTF_8);
            OpenApiContract.shared().check(exchangeOf(method, path, text));
            return text;
        }
    }
}
