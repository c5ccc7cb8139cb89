package dev.ratelimiter.client.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 connection, plain or TLS, on a blocking socket: writes a request that the caller
 * encoded and reads the whole response (a {@code Content-Length} body, a chunked body, or a body
 * up to the end of the connection).
 *
 * <p>Every blocking read is bounded by the exchange's deadline, through the socket's read timeout
 * set to the time left before each read; connecting and the TLS handshake are bounded the same
 * way. A write blocks only while the kernel's send buffer is full, which a server that reads its
 * requests (ratelimiterd reads the whole body before answering) never lets last; closing the
 * socket from another thread ends any blocked call.
 *
 * <p>Limits: a response line (status, header, chunk size) of at most {@link #MAX_LINE_BYTES}, at
 * most {@link #MAX_HEADERS} headers, a body of at most {@link #MAX_BODY_BYTES}.
 *
 * <p>Not thread-safe: one exchange at a time, owned by the thread that took it from the pool;
 * {@link #close()} may be called from any thread.
 */
final class Http1Connection {
    static final int MAX_LINE_BYTES = 8_192;
    static final int MAX_HEADERS = 100;
    static final int MAX_BODY_BYTES = 64 * 1024 * 1024;
    private static final int BUFFER_BYTES = 16 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int position;
    private int limit;
    /** False once the server said it closes the connection, or an exchange failed half-way. */
    private boolean reusable = true;
    /** Whether any byte of the current exchange's response arrived. */
    private boolean answerStarted;

    private Http1Connection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * Connects within {@code connectTimeoutMs} and the deadline, whichever comes first; with a TLS
     * factory, also completes the handshake (host name verified) before the deadline.
     */
    static Http1Connection open(String host, int port, SSLSocketFactory tls, long connectTimeoutMs, long deadlineNanos)
            throws IOException {
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(
                    new InetSocketAddress(host, port), (int) Math.min(connectTimeoutMs, remainingMs(deadlineNanos)));
            if (tls == null) {
                return new Http1Connection(plain);
            }
            SSLSocket secure = (SSLSocket) tls.createSocket(plain, host, port, true);
            SSLParameters parameters = secure.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            secure.setSSLParameters(parameters);
            secure.setSoTimeout((int) remainingMs(deadlineNanos));
            secure.startHandshake();
            return new Http1Connection(secure);
        } catch (IOException | RuntimeException e) {
            closeQuietly(plain);
            throw e;
        }
    }

    boolean reusable() {
        return reusable;
    }

    /** Whether the last exchange received any byte of an answer (if not, the server may never have seen it). */
    boolean answerStarted() {
        return answerStarted;
    }

    /** Sends {@code request} (head and body, encoded) and reads the response, all before the deadline. */
    HttpTransport.Response exchange(byte[] request, long deadlineNanos) throws IOException {
        answerStarted = false;
        reusable = false;
        out.write(request);
        out.flush();
        HttpTransport.Response response = readResponse(deadlineNanos);
        return response;
    }

    void close() {
        reusable = false;
        closeQuietly(socket);
    }

    private HttpTransport.Response readResponse(long deadlineNanos) throws IOException {
        while (true) {
            String statusLine = readLine(deadlineNanos);
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
                throw new IOException("not an HTTP/1.x status line: " + printable(statusLine));
            }
            int status = parseStatus(statusLine);
            boolean keepAlive = statusLine.charAt(7) == '1';
            long contentLength = -1;
            boolean chunked = false;
            for (int count = 0; ; count++) {
                String line = readLine(deadlineNanos);
                if (line.isEmpty()) {
                    break;
                }
                if (count >= MAX_HEADERS) {
                    throw new IOException("more than " + MAX_HEADERS + " response headers");
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("malformed response header: " + printable(line));
                }
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    contentLength = parseLength(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = value.regionMatches(true, value.length() - 7, "chunked", 0, 7);
                } else if (name.equalsIgnoreCase("Connection")) {
                    keepAlive = value.equalsIgnoreCase("keep-alive") || (keepAlive && !value.equalsIgnoreCase("close"));
                }
            }
            if (status >= 100 && status < 200) {
                continue; // an interim answer (100 Continue); the real one follows
            }
            byte[] body;
            if (status == 204 || status == 304) {
                body = new byte[0];
            } else if (chunked) {
                body = readChunked(deadlineNanos);
            } else if (contentLength >= 0) {
                body = readExactly(contentLength, deadlineNanos);
            } else {
                body = readToEnd(deadlineNanos);
                keepAlive = false;
            }
            reusable = keepAlive;
            return new HttpTransport.Response(status, body);
        }
    }

    private byte[] readChunked(long deadlineNanos) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(deadlineNanos);
            int end = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((end < 0 ? sizeLine : sizeLine.substring(0, end)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size: " + printable(sizeLine));
            }
            if (size < 0 || body.size() + size > MAX_BODY_BYTES) {
                throw new IOException("response body over " + MAX_BODY_BYTES + " bytes");
            }
            if (size == 0) {
                for (int count = 0; !readLine(deadlineNanos).isEmpty(); count++) {
                    if (count >= MAX_HEADERS) {
                        throw new IOException("more than " + MAX_HEADERS + " trailer lines");
                    }
                }
                return body.toByteArray();
            }
            body.write(readExactly(size, deadlineNanos));
            if (!readLine(deadlineNanos).isEmpty()) {
                throw new IOException("a chunk is not followed by CRLF");
            }
        }
    }

    private byte[] readExactly(long length, long deadlineNanos) throws IOException {
        if (length > MAX_BODY_BYTES) {
            throw new IOException("response body of " + length + " bytes is over " + MAX_BODY_BYTES);
        }
        byte[] bytes = new byte[(int) length];
        int copied = Math.min(limit - position, bytes.length);
        System.arraycopy(buffer, position, bytes, 0, copied);
        position += copied;
        while (copied < bytes.length) {
            setTimeout(deadlineNanos);
            int read = in.read(bytes, copied, bytes.length - copied);
            if (read < 0) {
                throw new EOFException("connection closed after " + copied + " of " + length + " body bytes");
            }
            copied += read;
        }
        return bytes;
    }

    private byte[] readToEnd(long deadlineNanos) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(buffer, position, limit - position);
        position = limit;
        while (fill(deadlineNanos)) {
            if (body.size() + limit > MAX_BODY_BYTES) {
                throw new IOException("response body over " + MAX_BODY_BYTES + " bytes");
            }
            body.write(buffer, 0, limit);
            position = limit;
        }
        return body.toByteArray();
    }

    /** One line without its CRLF (or bare LF), as ISO-8859-1. */
    private String readLine(long deadlineNanos) throws IOException {
        int scanned = position;
        while (true) {
            for (; scanned < limit; scanned++) {
                if (buffer[scanned] == '\n') {
                    int end = scanned > position && buffer[scanned - 1] == '\r' ? scanned - 1 : scanned;
                    String line = new String(buffer, position, end - position, StandardCharsets.ISO_8859_1);
                    position = scanned + 1;
                    return line;
                }
            }
            if (limit - position >= MAX_LINE_BYTES) {
                throw new IOException("response line over " + MAX_LINE_BYTES + " bytes");
            }
            if (position > 0) {
                System.arraycopy(buffer, position, buffer, 0, limit - position);
                limit -= position;
                scanned -= position;
                position = 0;
            }
            if (!fill(deadlineNanos)) {
                throw new EOFException(
                        answerStarted
                                ? "connection closed in the middle of a response line"
                                : "connection closed before any answer");
            }
        }
    }

    /** Reads more bytes after {@code limit}; false at the end of the stream. */
    private boolean fill(long deadlineNanos) throws IOException {
        setTimeout(deadlineNanos);
        int read = in.read(buffer, limit, buffer.length - limit);
        if (read < 0) {
            return false;
        }
        answerStarted = true;
        limit += read;
        return true;
    }

    private void setTimeout(long deadlineNanos) throws IOException {
        socket.setSoTimeout((int) remainingMs(deadlineNanos));
    }

    /** Milliseconds left before the deadline, at least 1, at most {@code Integer.MAX_VALUE}. */
    private static long remainingMs(long deadlineNanos) throws SocketTimeoutException {
        long remainingNanos = deadlineNanos - System.nanoTime();
        if (remainingNanos <= 0) {
            throw new SocketTimeoutException("the exchange's time ran out");
        }
        return Math.min(Integer.MAX_VALUE, Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNanos)));
    }

    private static int parseStatus(String statusLine) throws IOException {
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char digit = statusLine.charAt(i);
            if (digit < '0' || digit > '9') {
                throw new IOException("malformed status line: " + printable(statusLine));
            }
            status = status * 10 + (digit - '0');
        }
        return status;
    }

    private static long parseLength(String value) throws IOException {
        try {
            long length = Long.parseLong(value);
            if (length < 0) {
                throw new NumberFormatException();
            }
            return length;
        } catch (NumberFormatException e) {
            throw new IOException("malformed Content-Length: " + printable(value));
        }
    }

    private static String printable(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing more can be done with a socket that fails to close; it is being dropped anyway.
        }
    }
}
