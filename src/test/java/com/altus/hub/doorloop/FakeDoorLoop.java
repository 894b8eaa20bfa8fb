package com.altus.hub.doorloop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.altus.hub.test.FakeHttpServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A fake DoorLoop API written to its public contract: {@code GET /api/{resource}?page_number=N&page_size=S}
 * with {@code Authorization: bearer TOKEN} (401 otherwise), the {@code {"total", "data"}} envelope,
 * {@code page_size} capped at 1000, and an empty page past the last. Tests seed it from recorded
 * pages, edit its records (change, remove, add malformed ones), throttle it (429 with
 * Retry-After after a budget of requests) and inject 500s through {@link FakeHttpServer}.
 */
public final class FakeDoorLoop extends FakeHttpServer {
    public static final String PREFIX = "/api";

    private final ObjectMapper json = new ObjectMapper();
    private final Map<DoorLoopResource, List<JsonNode>> records = new ConcurrentHashMap<>();
    private volatile String token;
    private volatile int budget = Integer.MAX_VALUE;
    private volatile String retryAfter = "1";
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicInteger throttled = new AtomicInteger();

    public FakeDoorLoop(String token) {
        this.token = token;
        for (DoorLoopResource r : DoorLoopResource.values()) {
            records.put(r, Collections.synchronizedList(new ArrayList<>()));
            on("GET", PREFIX + "/" + r.path(), req -> page(r, req));
        }
    }

    /** The base URL to configure as DOORLOOP_BASE_URL. */
    public String apiUrl() {
        return baseUrl() + PREFIX;
    }

    /** Replaces every resource's records with those of a recorded directory (gen_data.py doorloop layout). */
    public FakeDoorLoop load(Path dir) throws IOException {
        for (DoorLoopResource r : DoorLoopResource.values()) {
            List<JsonNode> list = records.get(r);
            list.clear();
            try (Stream<Path> pages = Files.list(dir.resolve(r.fixtureDir()))) {
                for (Path p : pages.filter(f -> f.getFileName().toString().startsWith("page-")).sorted().toList()) {
                    json.readTree(p.toFile()).get("data").forEach(list::add);
                }
            }
        }
        return this;
    }

    /** Resets faults, throttling, recorded requests and the expected token. */
    public void reset(String expectedToken) {
        clearFaults();
        clearRequests();
        token = expectedToken;
        budget = Integer.MAX_VALUE;
        served.set(0);
        throttled.set(0);
    }

    public List<JsonNode> records(DoorLoopResource r) {
        return records.get(r);
    }

    public JsonNode find(DoorLoopResource r, String id) {
        synchronized (records.get(r)) {
            return records.get(r).stream().filter(n -> id.equals(n.path("id").asText(null))).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no " + r.path() + " " + id));
        }
    }

    /** Edits a record in place (the next pull sees the change). */
    public void change(DoorLoopResource r, String id, Consumer<ObjectNode> edit) {
        edit.accept((ObjectNode) find(r, id));
    }

    public JsonNode remove(DoorLoopResource r, String id) {
        JsonNode n = find(r, id);
        records.get(r).remove(n);
        return n;
    }

    /** Adds any JSON value as a record (malformed ones included) at the end of the resource. */
    public void add(DoorLoopResource r, JsonNode record) {
        records.get(r).add(record);
    }

    /** After {@code requests} served requests, answers one 429 with this Retry-After, then serves again. */
    public void throttleEvery(int requests, String retryAfterSeconds) {
        served.set(0);
        budget = requests;
        retryAfter = retryAfterSeconds;
    }

    public int throttled() {
        return throttled.get();
    }

    /** Requests (answered or not) for a resource, in order. */
    public List<Recorded> requestsFor(DoorLoopResource r) {
        return requests(q -> q.path().equals(PREFIX + "/" + r.path()));
    }

    private Response page(DoorLoopResource r, Recorded req) {
        if (!req.path().equals(PREFIX + "/" + r.path())) {
            return Response.json(404, "{\"error\":\"not_found\"}");
        }
        String auth = req.headers().getFirst("Authorization");
        if (auth == null || !auth.toLowerCase(Locale.ROOT).startsWith("bearer ") || !auth.substring(7).equals(token)) {
            return Response.json(401, "{\"error\":\"Unauthorized\",\"message\":\"invalid API token\"}");
        }
        if (served.incrementAndGet() > budget) {
            served.set(0);
            throttled.incrementAndGet();
            return new Response(429, Map.of("Content-Type", "application/json", "Retry-After", retryAfter),
                    "{\"error\":\"Too Many Requests\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        int pageNumber = Integer.parseInt(param(req, "page_number", "1"));
        int pageSize = Math.min(1000, Integer.parseInt(param(req, "page_size", "50")));
        List<JsonNode> all;
        synchronized (records.get(r)) {
            all = List.copyOf(records.get(r));
        }
        ObjectNode body = json.createObjectNode();
        body.put("total", all.size());
        ArrayNode data = body.putArray("data");
        long from = (long) (pageNumber - 1) * pageSize;
        for (long i = from; i < Math.min(all.size(), from + pageSize); i++) {
            data.add(all.get((int) i));
        }
        return Response.json(200, body.toString());
    }

    private static String param(Recorded req, String name, String def) {
        if (req.query() == null) {
            return def;
        }
        for (String kv : req.query().split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals(name)) {
                return kv.substring(eq + 1);
            }
        }
        return def;
    }
}
