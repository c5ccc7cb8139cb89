package dev.ratelimiter.client.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The limiter's own HTTP/1.1 client against a socket server that answers exactly the bytes a test
 * scripts, so that keep-alive, connection close, chunked bodies and silence can each be provoked.
 * Real time is unavoidable (sockets); every wait is bounded by a socket timeout.
 */
class Http1TransportTest {
    private final ServerSocket listener;
    /** Raw answers, one per request, in order, whatever connection the request came on. */
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

    private final List<String> requestHeads = new ArrayList<>();
    /** Released once per request the server has read in full. */
    private final Semaphore requestsRead = new Semaphore(0);
    /** Opened when the test ends: a silent connection holds its answer back until then. */
    private final CountDownLatch testOver = new CountDownLatch(1);

    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;
    private Http1Transport transport;

    Http1TransportTest() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "scripted-socket-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws IOException {
        testOver.countDown();
        if (transport != null) {
            transport.close();
        }
        listener.close();
    }

    private Http1Transport transport(HttpLimiterConfig config) {
        transport = new Http1Transport(config);
        return transport;
    }

    private Http1Transport transport() {
        return transport(HttpLimiterConfig.of("http://127.0.0.1:" + listener.getLocalPort() + "/base/")
                .withApiToken("secret"));
    }

    private static String ok(String body) {
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
                + body;
    }

    @Test
    void keepsOneConnectionForSequentialExchanges() throws IOException {
        answers.add(ok("{\"n\":1}"));
        answers.add(ok("{\"n\":2}"));
        Http1Transport transport = transport();

        assertEquals("{\"n\":1}", text(transport.post("/v1/reserve", bytes("{}"), 5_000)));
        assertEquals("{\"n\":2}", text(transport.post("/v1/reserve", bytes("{}"), 5_000)));

        assertEquals(1, connections.get());
        String head = requestHead(0);
        assertTrue(head.startsWith("POST /base/v1/reserve HTTP/1.1\r\n"), head);
        assertTrue(head.contains("\r\nAuthorization: Bearer secret\r\n"), head);
        assertTrue(head.contains("\r\nContent-Length: 2\r\n"), head);
    }

    @Test
    void opensANewConnectionAfterTheServerSaidClose() throws IOException {
        answers.add("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 4\r\n\r\nnope");
        answers.add(ok("{}"));
        Http1Transport transport = transport();

        HttpTransport.Response missing = transport.post("/v1/reserve", bytes("{}"), 5_000);
        assertEquals(404, missing.status());
        assertEquals("nope", text(missing));
        assertEquals(200, transport.post("/v1/reserve", bytes("{}"), 5_000).status());
        assertEquals(2, connections.get());
    }

    @Test
    void readsAChunkedBody() throws IOException {
        answers.add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3;ext=1\r\n:1}\r\n0\r\n\r\n");
        answers.add(ok("{}"));
        Http1Transport transport = transport();

        assertEquals("{\"a\":1}", text(transport.post("/v1/reserve", bytes("{}"), 5_000)));
        assertEquals("{}", text(transport.post("/v1/reserve", bytes("{}"), 5_000)), "the connection stays usable");
        assertEquals(1, connections.get());
    }

    @Test
    void resendsOnceOnANewConnectionWhenAPooledOneWasClosedWhileIdle() throws IOException {
        answers.add(ok("{\"n\":1}") + CLOSE_AFTER_ANSWER);
        answers.add(ok("{\"n\":2}"));
        Http1Transport transport = transport();

        assertEquals("{\"n\":1}", text(transport.post("/v1/reserve", bytes("{}"), 5_000)));
        assertEquals("{\"n\":2}", text(transport.post("/v1/reserve", bytes("{}"), 5_000)));
        assertEquals(2, connections.get());
    }

    @Test
    void boundsAnExchangeWithNoAnswerByItsTimeout() {
        answers.add(SILENCE);
        Http1Transport transport = transport();
        long startNanos = System.nanoTime();

        assertThrows(SocketTimeoutException.class, () -> transport.post("/v1/reserve", bytes("{}"), 200));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        assertTrue(elapsedMs >= 150, "gave up after " + elapsedMs + " ms, before its timeout");
    }

    @Test
    void rejectsAMalformedAnswer() {
        answers.add("SMTP ready\r\n\r\n");
        IOException failure =
                assertThrows(IOException.class, () -> transport().post("/v1/reserve", bytes("{}"), 5_000));
        assertTrue(failure.getMessage().contains("not an HTTP/1.x status line"), failure.getMessage());
    }

    @Test
    void closeEndsAnExchangeInProgress() throws Exception {
        answers.add(SILENCE);
        Http1Transport transport = transport();
        Thread closer = new Thread(() -> {
            try {
                // The exchange is in progress once the server has read its request.
                requestsRead.tryAcquire(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            transport.close();
        });
        closer.start();

        IOException failure = assertThrows(IOException.class, () -> transport.post("/v1/reserve", bytes("{}"), 20_000));
        closer.join(5_000);
        assertTrue(!(failure instanceof SocketTimeoutException), "ended by close, not by its timeout: " + failure);
        assertThrows(IOException.class, () -> transport.post("/v1/reserve", bytes("{}"), 1_000));
    }

    /** An answer suffix: after the answer, the server closes the connection without saying so. */
    private static final String CLOSE_AFTER_ANSWER = "\u0000close";
    /** An answer that never comes; the connection stays open. */
    private static final String SILENCE = "\u0000silence";

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                connections.incrementAndGet();
                Thread serving = new Thread(() -> serve(socket), "scripted-socket-connection");
                serving.setDaemon(true);
                serving.start();
            } catch (IOException e) {
                return; // the listener was closed: the test is over
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                int length = contentLength(head);
                in.readNBytes(length);
                synchronized (requestHeads) {
                    requestHeads.add(head);
                }
                requestsRead.release();
                String answer = answers.poll(10, TimeUnit.SECONDS);
                if (answer == null || answer.equals(SILENCE)) {
                    // Keep the connection open and silent until the test is over (bounded).
                    testOver.await(10, TimeUnit.SECONDS);
                    return;
                }
                boolean close = answer.endsWith(CLOSE_AFTER_ANSWER);
                out.write(answer.replace(CLOSE_AFTER_ANSWER, "").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (close) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // The client went away or the test ended: nothing to serve any more.
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    private String requestHead(int index) {
        synchronized (requestHeads) {
            return requestHeads.get(index);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(HttpTransport.Response response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
