package com.altus.hub.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Base for fakes of SaaS APIs that have no local emulator (Dropbox, DoorLoop, Supabase,
 * MaidCentral). A fake registers handlers that follow the service's public contract; tests
 * inject faults that hit the next matching requests: an HTTP status with a body and
 * Retry-After (429, 500, 503), or a dropped connection (the request is read, no answer is sent).
 * Every request is recorded for assertions.
 */
public class FakeHttpServer implements AutoCloseable {

    /** A request as the fake saw it. */
    public record Recorded(String method, String path, String query, Headers headers, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** What a handler answers. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public static Response json(int status, String json) {
            return new Response(status, Map.of("Content-Type", "application/json"), json.getBytes(StandardCharsets.UTF_8));
        }

        public static Response of(int status, String contentType, byte[] body) {
            return new Response(status, Map.of("Content-Type", contentType), body);
        }

        /** No answer at all: the connection is closed after the handler ran (a response lost on the way back). */
        public static Response lost() {
            return new Response(0, Map.of(), null);
        }
    }

    /** A handler sees the recorded request and answers. */
    @FunctionalInterface
    public interface Handler {
        Response handle(Recorded request) throws Exception;
    }

    /**
     * A handler that reads the request body itself, for uploads too big to hold in memory. Its
     * recorded request has an empty body; faults still apply (the body is drained first).
     */
    @FunctionalInterface
    public interface StreamHandler {
        Response handle(Recorded request, InputStream body) throws Exception;
    }

    /** A fault to inject into the next {@code times} requests that match. */
    public record Fault(Predicate<Recorded> matches, int status, String body, String retryAfter, boolean drop, AtomicInteger times) {
    }

    private final HttpServer server;
    private final Map<String, Handler> routes = new LinkedHashMap<>();
    private final Map<String, StreamHandler> streamRoutes = new LinkedHashMap<>();
    private final Deque<Fault> faults = new ConcurrentLinkedDeque<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();

    public FakeHttpServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind a fake HTTP server", e);
        }
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "fake-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::dispatch);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Registers a handler for METHOD and a path prefix ("GET /properties"); the longest prefix wins. */
    public FakeHttpServer on(String method, String pathPrefix, Handler handler) {
        routes.put(method.toUpperCase() + " " + pathPrefix, handler);
        return this;
    }

    /** Registers a streaming handler (see {@link StreamHandler}); it wins over a plain handler of the same prefix. */
    public FakeHttpServer onStream(String method, String pathPrefix, StreamHandler handler) {
        streamRoutes.put(method.toUpperCase() + " " + pathPrefix, handler);
        return this;
    }

    public FakeHttpServer failNext(int times, int status, String body, String retryAfter) {
        faults.add(new Fault(r -> true, status, body, retryAfter, false, new AtomicInteger(times)));
        return this;
    }

    public FakeHttpServer failNext(Predicate<Recorded> matches, int times, int status, String body, String retryAfter) {
        faults.add(new Fault(matches, status, body, retryAfter, false, new AtomicInteger(times)));
        return this;
    }

    /** The next matching request is read and then the connection is closed without an answer. */
    public FakeHttpServer dropNext(Predicate<Recorded> matches, int times) {
        faults.add(new Fault(matches, 0, null, null, true, new AtomicInteger(times)));
        return this;
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    public List<Recorded> requests(Predicate<Recorded> filter) {
        List<Recorded> out = new ArrayList<>();
        for (Recorded r : requests) {
            if (filter.test(r)) {
                out.add(r);
            }
        }
        return out;
    }

    public void clearRequests() {
        requests.clear();
    }

    public void clearFaults() {
        faults.clear();
    }

    private void dispatch(HttpExchange ex) throws IOException {
        StreamHandler streaming = streamRoute(ex.getRequestMethod().toUpperCase(), ex.getRequestURI().getPath());
        if (streaming != null) {
            dispatchStream(ex, streaming);
            return;
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        URI uri = ex.getRequestURI();
        Recorded rec = new Recorded(ex.getRequestMethod().toUpperCase(), uri.getPath(), uri.getRawQuery(),
                ex.getRequestHeaders(), body);
        requests.add(rec);
        try {
            Fault fault = takeFault(rec);
            if (fault != null) {
                answerFault(ex, fault);
                return;
            }
            Handler handler = route(rec);
            if (handler == null) {
                send(ex, Response.json(404, "{\"error\":\"not_found\",\"path\":\"" + rec.path() + "\"}"));
                return;
            }
            send(ex, handler.handle(rec));
        } catch (Exception e) {
            send(ex, Response.json(500, "{\"error\":\"fake_failure\",\"message\":\"" + e.getClass().getSimpleName() + "\"}"));
        }
    }

    /** Answers an injected fault: a status with its body and Retry-After, or a dropped connection. */
    private static void answerFault(HttpExchange ex, Fault fault) throws IOException {
        if (fault.drop()) {
            // closing an exchange before any response closes the TCP connection: the client
            // sees its response lost. (Java's HttpClient silently retries an idempotent
            // request once after that, so inject two drops to surface one to a GET caller.)
            ex.close();
            return;
        }
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        if (fault.retryAfter() != null) {
            h.put("Retry-After", fault.retryAfter());
        }
        send(ex, new Response(fault.status(), h,
                (fault.body() == null ? "" : fault.body()).getBytes(StandardCharsets.UTF_8)));
    }

    private void dispatchStream(HttpExchange ex, StreamHandler handler) throws IOException {
        URI uri = ex.getRequestURI();
        Recorded rec = new Recorded(ex.getRequestMethod().toUpperCase(), uri.getPath(), uri.getRawQuery(),
                ex.getRequestHeaders(), new byte[0]);
        requests.add(rec);
        try (InputStream in = ex.getRequestBody()) {
            Fault fault = takeFault(rec);
            if (fault != null) {
                in.transferTo(OutputStream.nullOutputStream());
                answerFault(ex, fault);
                return;
            }
            Response r = handler.handle(rec, in);
            in.transferTo(OutputStream.nullOutputStream());
            send(ex, r);
        } catch (Exception e) {
            send(ex, Response.json(500, "{\"error\":\"fake_failure\",\"message\":\"" + e.getClass().getSimpleName() + "\"}"));
        }
    }

    private StreamHandler streamRoute(String method, String path) {
        StreamHandler best = null;
        int bestLen = -1;
        for (Map.Entry<String, StreamHandler> e : streamRoutes.entrySet()) {
            String[] mp = e.getKey().split(" ", 2);
            if (mp[0].equals(method) && path.startsWith(mp[1]) && mp[1].length() > bestLen) {
                best = e.getValue();
                bestLen = mp[1].length();
            }
        }
        return best;
    }

    private Fault takeFault(Recorded rec) {
        for (Fault f : faults) {
            if (f.matches().test(rec) && f.times().getAndDecrement() > 0) {
                if (f.times().get() <= 0) {
                    faults.remove(f);
                }
                return f;
            }
        }
        return null;
    }

    private Handler route(Recorded rec) {
        Handler best = null;
        int bestLen = -1;
        for (Map.Entry<String, Handler> e : routes.entrySet()) {
            String[] mp = e.getKey().split(" ", 2);
            if (mp[0].equals(rec.method()) && rec.path().startsWith(mp[1]) && mp[1].length() > bestLen) {
                best = e.getValue();
                bestLen = mp[1].length();
            }
        }
        return best;
    }

    private static void send(HttpExchange ex, Response r) throws IOException {
        if (r.status() == 0) {
            ex.close(); // Response.lost(): no status line, the client sees the connection end
            return;
        }
        r.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        byte[] body = r.body() == null ? new byte[0] : r.body();
        ex.sendResponseHeaders(r.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
