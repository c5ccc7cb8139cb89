package dev.ratelimiter.stepdefs.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A caller that the limiter sees as another machine, without a second machine: a socket bound to one
 * of this machine's own non-loopback addresses (the first that {@code hostname -I} shows) and
 * connected to the server's loopback address. The packets stay on the loopback interface, yet the
 * server's peer is that non-loopback address, which is all the access rule looks at.
 *
 * <p>Works for a plain-http server that listens on a loopback address; {@link #reaching} says whether
 * it applies. Each request uses a fresh connection, closed after the answer, bounded by
 * {@link LimiterHttp#REQUEST_TIMEOUT}. Immutable and thread-safe.
 */
public final class OtherMachine {
    private final InetAddress source;
    private final InetSocketAddress server;

    private OtherMachine(InetAddress source, InetSocketAddress server) {
        this.source = source;
        this.server = server;
    }

    /**
     * A caller from another address to the server at {@code baseUri}, when this machine has a
     * non-loopback IPv4 address and the server is plain http on a loopback address.
     */
    public static Optional<OtherMachine> reaching(URI baseUri) {
        if (!"http".equals(baseUri.getScheme())) {
            return Optional.empty();
        }
        InetAddress host;
        try {
            host = InetAddress.getByName(baseUri.getHost());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        if (!host.isLoopbackAddress()) {
            return Optional.empty();
        }
        int port = baseUri.getPort() == -1 ? 80 : baseUri.getPort();
        return nonLoopbackAddress().map(source -> new OtherMachine(source, new InetSocketAddress(host, port)));
    }

    /** This machine's first IPv4 address that is up, not loopback and not link-local. */
    static Optional<InetAddress> nonLoopbackAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isUp() && !nic.isLoopback()) {
                    Optional<InetAddress> address = Collections.list(nic.getInetAddresses()).stream()
                            .filter(candidate -> candidate instanceof Inet4Address && !candidate.isLinkLocalAddress())
                            .findFirst();
                    if (address.isPresent()) {
                        return address;
                    }
                }
            }
        } catch (SocketException e) {
            // No interface list means no second address: the scenarios that need one are skipped.
        }
        return Optional.empty();
    }

    /** The address the server sees as the peer. */
    public String describe() {
        return source.getHostAddress();
    }

    /**
     * Sends one request with the given tokens and returns its answer whole.
     *
     * @throws AssertionError when the server cannot be reached or does not answer in time
     */
    public Answer send(String method, String path, byte[] body, Credentials credentials) {
        StringBuilder head = new StringBuilder(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\n")
                .append("Host: ")
                .append(server.getHostString())
                .append(':')
                .append(server.getPort())
                .append("\r\n")
                .append("Connection: close\r\nContent-Type: application/json\r\n")
                .append("Content-Length: ")
                .append(body.length)
                .append("\r\n");
        credentials
                .tokenFor(path)
                .ifPresent(token ->
                        head.append("Authorization: Bearer ").append(token).append("\r\n"));
        head.append("\r\n");
        long sentAtUnixMs = System.currentTimeMillis();
        long startNanos = System.nanoTime();
        int timeoutMs = (int) LimiterHttp.REQUEST_TIMEOUT.toMillis();
        byte[] raw;
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(timeoutMs);
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(server, timeoutMs);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(answer);
            raw = answer.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(
                    "the limiter at " + server + " did not answer " + method + " " + path + " from "
                            + source.getHostAddress() + ": " + e,
                    e);
        }
        return parse(method, path, raw, startNanos, sentAtUnixMs);
    }

    /** Splits a whole HTTP/1.1 answer (read until the server closed) into status, headers and body. */
    private static Answer parse(String method, String path, byte[] raw, long startNanos, long sentAtUnixMs) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            throw new AssertionError(method + " " + path + " got no HTTP answer: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, List<String>> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(
                        lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        List.of(lines[i].substring(colon + 1).strip()));
            }
        }
        byte[] body = Arrays.copyOfRange(raw, end + 4, raw.length);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        return new Answer(
                method, path, status, headers, body, startNanos, sentAtUnixMs, System.currentTimeMillis(), elapsed);
    }
}
