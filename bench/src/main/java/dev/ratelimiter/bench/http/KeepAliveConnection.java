package dev.ratelimiter.bench.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One persistent HTTP/1.1 connection that sends a request and reads the whole response, blocking.
 *
 * <p>Why not the JDK's {@code HttpClient}: its per-request cost (futures, a selector thread, header
 * maps) is several times a small endpoint's own cost, and on a machine where client and server
 * share the cores it would flatten the differences the HTTP benchmarks exist to show. This client
 * does what {@code wrk} does: write the request bytes, read the status line, the headers and a
 * {@code Content-Length} or chunked body. It supports nothing else (no redirects, no TLS, no
 * pipelining), which the benchmarks do not need.
 *
 * <p>When a response says {@code Connection: close}, the next request opens a new connection and
 * {@link #reconnects()} counts it.
 *
 * <p>Bounded: every read has a socket timeout ({@link #READ_TIMEOUT_MS}); header lines and bodies
 * have size limits. Not thread-safe: one benchmark thread owns one connection.
 */
public final class KeepAliveConnection implements AutoCloseable {
    static final int READ_TIMEOUT_MS = 10_000;
    static final int MAX_LINE_BYTES = 8_192;
    static final int MAX_HEADERS = 100;
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    /** A response: its status and its body. */
    public record Response(int status, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final InetSocketAddress address;
    private final String hostHeader;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    /** How many times the server closed the connection and it was opened again. */
    private long reconnects;

    public KeepAliveConnection(URI baseUri) throws IOException {
        this.address = new InetSocketAddress(baseUri.getHost(), baseUri.getPort());
        this.hostHeader = baseUri.getHost() + ":" + baseUri.getPort();
        connect();
    }

    /** How often the server ended the connection with {@code Connection: close}; a benchmark expects 0. */
    public long reconnects() {
        return reconnects;
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.connect(address, READ_TIMEOUT_MS);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
    }

    public Response get(String path) throws IOException {
        return exchange("GET", path, null);
    }

    public Response post(String path, byte[] jsonBody) throws IOException {
        return exchange("POST", path, jsonBody);
    }

    public Response put(String path, byte[] jsonBody) throws IOException {
        return exchange("PUT", path, jsonBody);
    }

    private Response exchange(String method, String path, byte[] body) throws IOException {
        if (socket == null) {
            reconnects++;
            connect();
        }
        StringBuilder head = new StringBuilder(128)
                .append(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\nHost: ")
                .append(hostHeader)
                .append("\r\n");
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ")
                    .append(body.length)
                    .append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        if (body == null) {
            out.write(headBytes);
        } else {
            byte[] request = new byte[headBytes.length + body.length];
            System.arraycopy(headBytes, 0, request, 0, headBytes.length);
            System.arraycopy(body, 0, request, headBytes.length, body.length);
            out.write(request);
        }
        out.flush();
        return readResponse();
    }

    private Response readResponse() throws IOException {
        String statusLine = readLine();
        if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
            throw new IOException("not an HTTP/1.1 status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long contentLength = -1;
        boolean chunked = false;
        boolean closing = false;
        for (int i = 0; ; i++) {
            if (i >= MAX_HEADERS) {
                throw new IOException("more than " + MAX_HEADERS + " response headers");
            }
            String line = readLine();
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (name.equals("content-length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equals("transfer-encoding")
                    && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            } else if (name.equals("connection") && value.equalsIgnoreCase("close")) {
                closing = true;
            }
        }
        byte[] body;
        if (chunked) {
            body = readChunked();
        } else if (contentLength >= 0) {
            body = readExactly(contentLength);
        } else {
            throw new IOException(
                    "a response without Content-Length or chunked encoding cannot be read on a kept-alive connection");
        }
        if (closing) {
            // The server ends the connection after this response; the next request opens a new one.
            socket.close();
            socket = null;
        }
        return new Response(status, body);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // Trailers carry nothing the benchmarks need; read past them to the end of the response.
                }
                return body.toByteArray();
            }
            if (body.size() + size > MAX_BODY_BYTES) {
                throw new IOException("response body over " + MAX_BODY_BYTES + " bytes");
            }
            body.write(readExactly(size));
            readLine();
        }
    }

    private byte[] readExactly(long length) throws IOException {
        if (length > MAX_BODY_BYTES) {
            throw new IOException("response body of " + length + " bytes is over " + MAX_BODY_BYTES);
        }
        byte[] bytes = new byte[(int) length];
        int read = 0;
        while (read < bytes.length) {
            int n = in.read(bytes, read, bytes.length - read);
            if (n < 0) {
                throw new IOException("connection closed after " + read + " of " + length + " body bytes");
            }
            read += n;
        }
        return bytes;
    }

    /** One line without its CRLF, as ASCII. */
    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the middle of a response line");
            }
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            if (line.length() >= MAX_LINE_BYTES) {
                throw new IOException("response line over " + MAX_LINE_BYTES + " bytes");
            }
            line.append((char) b);
        }
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
    }
}
