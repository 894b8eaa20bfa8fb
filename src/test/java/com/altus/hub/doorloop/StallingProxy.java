package com.altus.hub.doorloop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A plain HTTP/1.1 front for a fake API that can stall an answer halfway: for a request whose
 * target matches, it sends the status line, the headers (with the full Content-Length) and half
 * of a body, then nothing more, keeping the connection open. Every other request is forwarded to
 * the fake (Authorization and Accept kept) and answered with {@code Connection: close}.
 */
final class StallingProxy implements AutoCloseable {
    private static final byte[] HALF_BODY = "{\"total\": 5, \"data\": [{\"id\": \"stalled-halfway\", \"name\": \"the rest never com"
            .getBytes(StandardCharsets.UTF_8);

    private final ServerSocket server;
    private final String upstream;
    private final HttpClient client = HttpClient.newHttpClient();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "stalling-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger stalled = new AtomicInteger();
    private volatile Predicate<String> stall = target -> false;

    StallingProxy(String upstreamBaseUrl) {
        this.upstream = upstreamBaseUrl;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind the stalling proxy", e);
        }
        pool.submit(this::accept);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Stalls the answers to requests whose target (path and query) matches; {@code t -> false} ends it. */
    void stallWhen(Predicate<String> targets) {
        stall = targets;
    }

    /** Answers stalled so far. */
    int stalled() {
        return stalled.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                pool.submit(() -> serve(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            String[] head = readHead(in).split("\r\n");
            String[] requestLine = head[0].split(" ");
            String target = requestLine[1];
            OutputStream out = socket.getOutputStream();
            if (stall.test(target)) {
                stalled.incrementAndGet();
                held.add(socket);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + (HALF_BODY.length * 2)
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(HALF_BODY);
                out.flush();
                return; // the rest never comes; the socket stays open until close()
            }
            HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(upstream + target)).method(requestLine[0],
                    HttpRequest.BodyPublishers.noBody());
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                String name = head[i].substring(0, colon).trim();
                if (List.of("authorization", "accept").contains(name.toLowerCase(Locale.ROOT))) {
                    forward.header(name, head[i].substring(colon + 1).trim());
                }
            }
            HttpResponse<byte[]> answer = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            StringBuilder h = new StringBuilder("HTTP/1.1 ").append(answer.statusCode()).append(" X\r\n");
            answer.headers().firstValue("Content-Type").ifPresent(v -> h.append("Content-Type: ").append(v).append("\r\n"));
            answer.headers().firstValue("Retry-After").ifPresent(v -> h.append("Retry-After: ").append(v).append("\r\n"));
            h.append("Content-Length: ").append(answer.body().length).append("\r\nConnection: close\r\n\r\n");
            out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(answer.body());
            out.flush();
            socket.close();
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(socket);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the request head ended");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // the peer is gone already
        }
    }

    @Override
    public void close() {
        stall = t -> false;
        held.forEach(StallingProxy::closeQuietly);
        try {
            server.close();
        } catch (IOException ignored) {
            // closing a listening socket that is already closed
        }
        pool.shutdownNow();
    }
}
