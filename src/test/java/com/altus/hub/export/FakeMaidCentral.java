package com.altus.hub.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import com.altus.hub.test.FakeHttpServer;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A fake of MaidCentral's API as the exporter uses it (CONTRACT section 12), holding the data of
 * a blob folder in the seed's shapes (samples/azure-blobs, or gen_data.py azure output):
 * <ul>
 * <li>{@code POST /token}, form {@code grant_type=password&username=&password=} ->
 * {@code {access_token, token_type:"bearer", expires_in}}; wrong credentials -> 400
 * {@code invalid_grant}; a missing, unknown or expired bearer token -> 401;</li>
 * <li>{@code GET /api/dr-schedule/companies} -> the companies (the schedule files' headers);</li>
 * <li>{@code GET /api/dr-schedule?serviceCompanyId=&startDate=&endDate=} -> the company's header
 * and its jobs whose JobDate is in the range (no GeneratedAt, no DateRange);</li>
 * <li>{@code GET /api/dr-schedule/users} -> users.json without GeneratedAt.</li>
 * </ul>
 * Faults: those of {@link FakeHttpServer} (5xx, dropped connections), tokens that expire early,
 * a company whose answers stall until released, a company whose answer is not JSON.
 */
public final class FakeMaidCentral extends FakeHttpServer {
    public static final String USERNAME = "hub-exporter";
    public static final String PASSWORD = "fake-mc-password-0123456789";
    private static final String API = "/api/dr-schedule";

    private final ObjectMapper json = new ObjectMapper();
    private final JsonFactory factory = new JsonFactory();
    /** Companies in list order (ServiceCompanyId -> header). */
    private final Map<Integer, ObjectNode> companies = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<Integer, ArrayNode> jobs = new ConcurrentHashMap<>();
    private final Map<String, byte[]> scheduleAnswers = new ConcurrentHashMap<>();
    private volatile byte[] usersAnswer;
    private volatile ObjectNode usersTree;
    /** Valid tokens and when they expire (System.nanoTime). */
    private final Map<String, Long> tokens = new ConcurrentHashMap<>();
    private volatile Duration tokenLifetime = Duration.ofHours(1);
    /** How long the token endpoint takes to answer (a slow identity server). */
    private volatile Duration tokenDelay = Duration.ZERO;
    /** Requests left before every token expires; negative = never. */
    private final AtomicInteger expireTokensAfter = new AtomicInteger(-1);
    public final AtomicInteger tokensIssued = new AtomicInteger();
    public final AtomicInteger unauthorizedAnswers = new AtomicInteger();
    private final Set<Integer> stalled = ConcurrentHashMap.newKeySet();
    private final AtomicReference<CountDownLatch> stallRelease = new AtomicReference<>(new CountDownLatch(1));
    private final Set<Integer> badJson = ConcurrentHashMap.newKeySet();
    /** When set, the data's first day is moved to whatever start date is asked for (benchmarks on any day). */
    private volatile LocalDate followWindowFrom;

    public FakeMaidCentral() {
        on("POST", "/token", this::token);
        on("GET", API + "/companies", r -> authorized(r, () -> Response.json(200, json.writeValueAsString(companyList()))));
        on("GET", API + "/users", r -> authorized(r, () -> new Response(200, Map.of("Content-Type", "application/json"), usersAnswer)));
        on("GET", API, r -> authorized(r, () -> schedule(r)));
    }

    /** Loads the blobs of a folder: every {@code N_schedules.json} and {@code users.json}. */
    public FakeMaidCentral load(Path dir) throws IOException {
        companies.clear();
        jobs.clear();
        scheduleAnswers.clear();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("\\d+_schedules\\.json")).toList();
        }
        List<ObjectNode> headers = new ArrayList<>();
        for (Path f : files) {
            ObjectNode file = (ObjectNode) json.readTree(f.toFile());
            ObjectNode header = json.createObjectNode();
            for (String k : List.of("ServiceCompanyId", "ServiceCompanyGroupId", "ServiceCompanyGroupName", "Name", "IsActive",
                    "TimeZoneInfoId", "FeatureToggles")) {
                header.set(k, file.get(k));
            }
            headers.add(header);
            jobs.put(header.get("ServiceCompanyId").asInt(), (ArrayNode) file.get("Jobs"));
        }
        headers.sort(java.util.Comparator.comparingInt(h -> h.get("ServiceCompanyId").asInt()));
        headers.forEach(h -> companies.put(h.get("ServiceCompanyId").asInt(), h));
        try (InputStream in = Files.newInputStream(dir.resolve("users.json"))) {
            usersAnswer = withoutGeneratedAt(in);
        }
        usersTree = null;
        return this;
    }

    // ------------------------------------------------------------------ data, as tests see and change it

    public List<ObjectNode> companyList() {
        synchronized (companies) {
            return List.copyOf(companies.values());
        }
    }

    public ObjectNode company(int id) {
        return companies.get(id);
    }

    /** The company's jobs (live: change them through {@link #changed()}). */
    public ArrayNode jobs(int id) {
        return jobs.get(id);
    }

    /** Forget cached answers after a test changed companies or jobs. */
    public void changed() {
        scheduleAnswers.clear();
    }

    /** users.json as MaidCentral answers it (no GeneratedAt), as a tree. */
    public synchronized ObjectNode users() throws IOException {
        if (usersTree == null) {
            usersTree = (ObjectNode) json.readTree(usersAnswer);
        }
        return usersTree;
    }

    public int usersAnswerBytes() {
        return usersAnswer.length;
    }

    // ------------------------------------------------------------------ faults

    public void tokenLifetime(Duration d) {
        tokenLifetime = d;
    }

    /** The token endpoint answers only after {@code d} (an identity server under load). */
    public void tokenDelay(Duration d) {
        tokenDelay = d;
    }

    /** Every token issued so far stops working after {@code n} more authorized requests (MaidCentral revoking them). */
    public void expireTokensAfter(int n) {
        expireTokensAfter.set(n);
    }

    /** The company's schedule answers hang (no status line) until {@link #releaseStalls()}. */
    public void stall(int companyId) {
        stalled.add(companyId);
    }

    public void releaseStalls() {
        stalled.clear();
        stallRelease.getAndSet(new CountDownLatch(1)).countDown();
    }

    /** The company's schedule answer is 200 with a body that is not JSON. */
    public void answerBadJson(int companyId) {
        badJson.add(companyId);
    }

    /** No faults armed, counters and request log empty; tokens issued before stay valid (as they would). */
    /**
     * Answers every schedule request with the jobs of the data's days {@code dataStart} .. as if they
     * were the requested days (JobDate and times moved by the difference), so the data fits any
     * window whatever the date: for benchmarks run on any day.
     */
    public void followWindow(LocalDate dataStart) {
        followWindowFrom = dataStart;
        scheduleAnswers.clear();
    }

    public void resetFaults() {
        releaseStalls();
        badJson.clear();
        expireTokensAfter.set(-1);
        tokenLifetime = Duration.ofHours(1);
        tokenDelay = Duration.ZERO;
        clearFaults();
        resetCounters();
    }

    public void resetCounters() {
        tokensIssued.set(0);
        unauthorizedAnswers.set(0);
        clearRequests();
    }

    /** Requests for one company's schedule. */
    public List<Recorded> scheduleRequests(int companyId) {
        return requests(r -> r.path().equals(API) && r.query() != null && r.query().contains("serviceCompanyId=" + companyId + "&"));
    }

    // ------------------------------------------------------------------ handlers

    private Response token(Recorded r) throws Exception {
        if (!tokenDelay.isZero()) {
            Thread.sleep(tokenDelay.toMillis());
        }
        Map<String, String> form = form(r.bodyText());
        if (!"password".equals(form.get("grant_type"))) {
            return Response.json(400, "{\"error\":\"unsupported_grant_type\"}");
        }
        if (!USERNAME.equals(form.get("username")) || !PASSWORD.equals(form.get("password"))) {
            return Response.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"The user name or password is incorrect.\"}");
        }
        String token = "mc-" + UUID.randomUUID();
        tokens.put(token, System.nanoTime() + tokenLifetime.toNanos());
        tokensIssued.incrementAndGet();
        ObjectNode answer = json.createObjectNode();
        answer.put("access_token", token);
        answer.put("token_type", "bearer");
        answer.put("expires_in", tokenLifetime.toSeconds());
        return Response.json(200, json.writeValueAsString(answer));
    }

    @FunctionalInterface
    private interface Answer {
        Response get() throws Exception;
    }

    private Response authorized(Recorded r, Answer answer) throws Exception {
        String auth = r.headers().getFirst("Authorization");
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
        Long expires = token == null ? null : tokens.get(token);
        if (expires != null && expireTokensAfter.get() >= 0 && expireTokensAfter.getAndDecrement() == 0) {
            tokens.clear();
            expires = null;
        }
        if (expires == null || System.nanoTime() > expires) {
            unauthorizedAnswers.incrementAndGet();
            return Response.json(401, "{\"message\":\"Authorization has been denied for this request.\"}");
        }
        return answer.get();
    }

    private Response schedule(Recorded r) throws Exception {
        Map<String, String> q = form(r.query() == null ? "" : r.query());
        int id;
        LocalDate start;
        LocalDate end;
        try {
            id = Integer.parseInt(q.get("serviceCompanyId"));
            start = LocalDate.parse(q.get("startDate"));
            end = LocalDate.parse(q.get("endDate"));
        } catch (RuntimeException e) {
            return Response.json(400, "{\"message\":\"serviceCompanyId, startDate and endDate are required\"}");
        }
        ObjectNode company = companies.get(id);
        if (company == null) {
            return Response.json(404, "{\"message\":\"No service company " + id + "\"}");
        }
        if (stalled.contains(id)) {
            stallRelease.get().await(60, TimeUnit.SECONDS);
        }
        if (badJson.contains(id)) {
            return Response.of(200, "application/json", "{\"ServiceCompanyId\": 1, \"Jobs\": [ <html>oops".getBytes(StandardCharsets.UTF_8));
        }
        byte[] body = scheduleAnswers.computeIfAbsent(id + "/" + start + "/" + end, k -> {
            ObjectNode answer = company.deepCopy();
            ArrayNode inRange = answer.putArray("Jobs");
            LocalDate from = followWindowFrom;
            long shift = from == null ? 0 : java.time.temporal.ChronoUnit.DAYS.between(from, start);
            for (JsonNode j : jobs.get(id)) {
                LocalDate d = LocalDate.parse(j.get("JobDate").asText().substring(0, 10)).plusDays(shift);
                if (!d.isBefore(start) && !d.isAfter(end)) {
                    inRange.add(shift == 0 ? j : moved(j, shift));
                }
            }
            try {
                return json.writeValueAsBytes(answer);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return new Response(200, Map.of("Content-Type", "application/json"), body);
    }

    /** A job moved by {@code days}: its JobDate and the date part of its scheduled times. */
    private static JsonNode moved(JsonNode job, long days) {
        ObjectNode j = job.deepCopy();
        for (String f : List.of("JobDate", "ScheduledStartTime", "ScheduledEndTime")) {
            JsonNode v = j.get(f);
            if (v != null && v.isTextual() && v.asText().length() >= 10) {
                String t = v.asText();
                j.put(f, LocalDate.parse(t.substring(0, 10)).plusDays(days) + t.substring(10));
            }
        }
        return j;
    }

    private static Map<String, String> form(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : text.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** users.json as MaidCentral serves it: the same document without GeneratedAt (streamed: it may hold 100,000 users). */
    private byte[] withoutGeneratedAt(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonParser p = factory.createParser(in); JsonGenerator g = factory.createGenerator(out)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("users.json is not an object");
            }
            g.writeStartObject();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                if (f.equals("GeneratedAt")) {
                    p.skipChildren();
                    continue;
                }
                g.writeFieldName(f);
                g.copyCurrentStructure(p);
            }
            g.writeEndObject();
        }
        return out.toByteArray();
    }
}
