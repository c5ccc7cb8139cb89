package dev.ratelimiter.client.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A JDK HTTP server on a free local port that answers from a script and records every request body.
 * Once the script is used up it repeats its last answer. A {@link #HANG} answer holds the exchange
 * open until the server stops, to provoke client timeouts. Thread-safe: guarded by {@code this}.
 */
final class ScriptedHttpServer implements AutoCloseable {
    record Answer(int status, String body) {}

    static final Answer HANG = new Answer(-1, "");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "scripted-http-server");
        thread.setDaemon(true);
        return thread;
    });
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final ArrayDeque<Answer> script = new ArrayDeque<>();
    private final List<String> requests = new ArrayList<>();
    private Answer last = new Answer(500, "{\"error\":\"backend_error\",\"detail\":\"no script\"}");

    ScriptedHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    synchronized ScriptedHttpServer then(int status, String body) {
        script.addLast(new Answer(status, body));
        return this;
    }

    synchronized ScriptedHttpServer thenHang() {
        script.addLast(HANG);
        return this;
    }

    /** "POST /path body" of every request so far. */
    synchronized List<String> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Answer answer;
        synchronized (this) {
            requests.add(
                    exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " " + body);
            if (!script.isEmpty()) {
                last = script.pollFirst();
            }
            answer = last;
        }
        if (answer == HANG) {
            try {
                stopping.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        stopping.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
