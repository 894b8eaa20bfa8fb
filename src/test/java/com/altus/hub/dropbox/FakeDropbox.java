package com.altus.hub.dropbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import com.altus.hub.test.FakeHttpServer;
import com.altus.hub.test.FakeHttpServer.Recorded;
import com.altus.hub.test.FakeHttpServer.Response;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A fake Dropbox that follows the HTTP API v2 contract as the hub uses it: OAuth refresh at
 * /oauth2/token (app key/secret as Basic auth or form), bearer tokens on every call,
 * RPC endpoints (JSON in and out) and content endpoints (Dropbox-API-Arg header, octets in,
 * JSON out), upload sessions with the cursor rules (exact offsets, incorrect_offset with
 * correct_offset, non-final appends in whole 4 MiB blocks, 150 MiB per request), write mode
 * add with autorename ("name (1).ext", same content is no conflict), 409 error shapes with
 * error_summary, and 429 with Retry-After (through {@link FakeHttpServer#failNext}). Bodies
 * are streamed to disk, so gigabytes pass without memory. Fault hooks: a lost response
 * (applied, answer dropped), held uploads (to keep a request in flight), expired tokens. A path
 * component over 255 characters is malformed_path, as Dropbox answers it.
 */
public final class FakeDropbox implements AutoCloseable {
    public static final String APP_KEY = "fake-app-key";
    public static final String APP_SECRET = "fake-app-secret-s3cr3t";
    public static final String REFRESH_TOKEN = "fake-refresh-token-r3fr3sh";
    static final long BLOCK = 4L * 1024 * 1024;
    static final long MAX_REQUEST = 150L * 1024 * 1024;
    /** Dropbox's limit for one path component ("file and folder names ... 255 characters"). */
    static final int MAX_NAME_CHARS = 255;

    /** A stored file. */
    public record FileEntry(String pathDisplay, String id, String rev, long size, String contentHash, Path data,
                            Instant modified) {
    }

    private record Session(Path data, AtomicLong offset) {
    }

    private final FakeHttpServer http = new FakeHttpServer();
    private final ObjectMapper json = new ObjectMapper();
    private final Path dir;
    private final Map<String, FileEntry> files = new ConcurrentHashMap<>();
    private final Set<String> folders = ConcurrentHashMap.newKeySet();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final AtomicInteger counter = new AtomicInteger();
    private final AtomicInteger tokenRefreshes = new AtomicInteger();
    private final AtomicLong maxRequestBytes = new AtomicLong();
    private final List<Predicate<Recorded>> loseResponses = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile CountDownLatch hold;
    private final AtomicInteger held = new AtomicInteger();

    public FakeDropbox(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        http.on("POST", "/oauth2/token", this::token);
        http.on("POST", "/2/files/get_metadata", r -> rpc(r, this::getMetadata));
        http.on("POST", "/2/files/create_folder_v2", r -> rpc(r, this::createFolder));
        http.onStream("POST", "/2/files/upload", (r, in) -> content(r, in, this::upload));
        http.onStream("POST", "/2/files/upload_session/start", (r, in) -> content(r, in, this::sessionStart));
        http.onStream("POST", "/2/files/upload_session/append_v2", (r, in) -> content(r, in, this::sessionAppend));
        http.onStream("POST", "/2/files/upload_session/finish", (r, in) -> content(r, in, this::sessionFinish));
    }

    public String baseUrl() {
        return http.baseUrl();
    }

    public FakeHttpServer http() {
        return http;
    }

    /** Properties/environment that point a hub at this fake. */
    public Map<String, String> env() {
        return Map.of("DROPBOX_APP_KEY", APP_KEY, "DROPBOX_APP_SECRET", APP_SECRET, "DROPBOX_REFRESH_TOKEN", REFRESH_TOKEN,
                "DROPBOX_API_URL", baseUrl(), "DROPBOX_CONTENT_URL", baseUrl(), "DROPBOX_OAUTH_URL", baseUrl());
    }

    public Optional<FileEntry> file(String path) {
        return Optional.ofNullable(files.get(path.toLowerCase()));
    }

    public List<FileEntry> files(String folderPrefix) {
        List<FileEntry> out = new ArrayList<>();
        for (FileEntry f : files.values()) {
            if (f.pathDisplay().startsWith(folderPrefix)) {
                out.add(f);
            }
        }
        return out;
    }

    public int tokenRefreshes() {
        return tokenRefreshes.get();
    }

    /** The biggest request body seen (for the 150 MiB rule). */
    public long maxRequestBytes() {
        return maxRequestBytes.get();
    }

    /** Every issued token becomes invalid: the next call answers 401 expired_access_token. */
    public void expireTokens() {
        tokens.clear();
    }

    /** The next request matching is processed, but its response is lost (the connection closes). */
    public void loseNextResponse(Predicate<Recorded> matches) {
        loseResponses.add(matches);
    }

    /** Uploads (upload, append, finish) wait until {@link #release()}; {@link #heldCount()} says how many wait. */
    public void holdUploads() {
        hold = new CountDownLatch(1);
    }

    public int heldCount() {
        return held.get();
    }

    public void release() {
        CountDownLatch h = hold;
        hold = null;
        if (h != null) {
            h.countDown();
        }
    }

    public static Predicate<Recorded> path(String prefix) {
        return r -> r.path().startsWith(prefix);
    }

    public void clear() {
        files.clear();
        folders.clear();
        sessions.clear();
        loseResponses.clear();
        http.clearFaults();
        http.clearRequests();
    }

    // ---- OAuth ----

    private Response token(Recorded r) {
        Map<String, String> form = form(r.bodyText());
        String key = form.get("client_id");
        String secret = form.get("client_secret");
        String basic = r.headers().getFirst("Authorization");
        if (basic != null && basic.startsWith("Basic ")) {
            String[] kv = new String(Base64.getDecoder().decode(basic.substring(6)), StandardCharsets.UTF_8).split(":", 2);
            key = kv[0];
            secret = kv.length > 1 ? kv[1] : null;
        }
        if (!"refresh_token".equals(form.get("grant_type")) || !REFRESH_TOKEN.equals(form.get("refresh_token"))
                || !APP_KEY.equals(key) || (secret != null && !APP_SECRET.equals(secret))) {
            return Response.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token is invalid\"}");
        }
        String token = "fake-access-" + UUID.randomUUID();
        tokens.add(token);
        tokenRefreshes.incrementAndGet();
        return Response.json(200, "{\"access_token\":\"" + token + "\",\"token_type\":\"bearer\",\"expires_in\":14400}");
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : body.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private Response unauthorized(Recorded r) {
        String auth = r.headers().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ") || !tokens.contains(auth.substring(7))) {
            return Response.json(401, "{\"error_summary\":\"expired_access_token/..\",\"error\":{\".tag\":\"expired_access_token\"}}");
        }
        return null;
    }

    // ---- RPC and content plumbing ----

    @FunctionalInterface
    private interface Rpc {
        Response call(JsonNode arg) throws Exception;
    }

    @FunctionalInterface
    private interface Content {
        Response call(JsonNode arg, InputStream body) throws Exception;
    }

    private Response rpc(Recorded r, Rpc call) throws Exception {
        Response denied = unauthorized(r);
        if (denied != null) {
            return denied;
        }
        return lose(r, call.call(json.readTree(r.body())));
    }

    private Response content(Recorded r, InputStream in, Content call) throws Exception {
        Response denied = unauthorized(r);
        if (denied != null) {
            return denied;
        }
        String type = r.headers().getFirst("Content-Type");
        if (type == null || !type.startsWith("application/octet-stream")) {
            return Response.of(400, "text/plain", "Error in call: bad Content-Type".getBytes(StandardCharsets.UTF_8));
        }
        CountDownLatch h = hold;
        if (h != null) {
            held.incrementAndGet();
            try {
                if (!h.await(60, TimeUnit.SECONDS)) {
                    return Response.json(500, "{\"error\":\"held too long\"}");
                }
            } finally {
                held.decrementAndGet();
            }
        }
        String arg = r.headers().getFirst("Dropbox-API-Arg");
        if (arg == null) {
            return Response.of(400, "text/plain", "Error in call: missing Dropbox-API-Arg".getBytes(StandardCharsets.UTF_8));
        }
        return lose(r, call.call(json.readTree(arg), in));
    }

    private Response lose(Recorded r, Response answer) {
        for (Predicate<Recorded> p : loseResponses) {
            if (p.test(r) && loseResponses.remove(p)) {
                return Response.lost();
            }
        }
        return answer;
    }

    private Response error(String summary, String errorJson) {
        return Response.json(409, "{\"error_summary\":\"" + summary + "..\",\"error\":" + errorJson + "}");
    }

    private Response ok(Object body) throws IOException {
        return Response.json(200, json.writeValueAsString(body));
    }

    // ---- endpoints ----

    /** Dropbox refuses a path with a component longer than 255 characters as malformed (LookupError/WriteError malformed_path). */
    static boolean malformed(String path) {
        for (String component : path.split("/")) {
            if (component.codePointCount(0, component.length()) > MAX_NAME_CHARS) {
                return true;
            }
        }
        return false;
    }

    private Response malformedPath() {
        return error("path/malformed_path/", "{\".tag\":\"path\",\"path\":{\".tag\":\"malformed_path\"}}");
    }

    private Response getMetadata(JsonNode arg) throws IOException {
        String path = arg.path("path").asText();
        if (malformed(path)) {
            return malformedPath();
        }
        FileEntry f = files.get(path.toLowerCase());
        if (f != null) {
            return ok(metadata(f));
        }
        if (folders.contains(path.toLowerCase())) {
            ObjectNode m = json.createObjectNode().put(".tag", "folder").put("name", name(path)).put("path_display", path)
                    .put("path_lower", path.toLowerCase()).put("id", "id:folder-" + path.hashCode());
            return ok(m);
        }
        return error("path/not_found/", "{\".tag\":\"path\",\"path\":{\".tag\":\"not_found\"}}");
    }

    private Response createFolder(JsonNode arg) throws IOException {
        String path = arg.path("path").asText();
        if (malformed(path)) {
            return malformedPath();
        }
        if (files.containsKey(path.toLowerCase())) {
            return error("path/conflict/file/", "{\".tag\":\"path\",\"path\":{\".tag\":\"conflict\",\"conflict\":{\".tag\":\"file\"}}}");
        }
        if (!folders.add(path.toLowerCase())) {
            return error("path/conflict/folder/", "{\".tag\":\"path\",\"path\":{\".tag\":\"conflict\",\"conflict\":{\".tag\":\"folder\"}}}");
        }
        ObjectNode m = json.createObjectNode().put("name", name(path)).put("path_display", path)
                .put("path_lower", path.toLowerCase()).put("id", "id:folder-" + counter.incrementAndGet());
        return ok(json.createObjectNode().set("metadata", m));
    }

    private Response upload(JsonNode arg, InputStream in) throws Exception {
        Path data = Files.createTempFile(dir, "upload-", ".bin");
        long n = spool(in, data, false);
        if (malformed(arg.path("path").asText())) {
            Files.deleteIfExists(data);
            // UploadError.path is an UploadWriteFailed: the WriteError is its "reason"
            return error("path/malformed_path/", "{\".tag\":\"path\",\"reason\":{\".tag\":\"malformed_path\"},"
                    + "\"upload_session_id\":\"pid_upload_session:none\"}");
        }
        if (n > MAX_REQUEST) {
            Files.deleteIfExists(data);
            return error("payload_too_large/", "{\".tag\":\"payload_too_large\"}");
        }
        String hash = contentHash(data);
        if (arg.hasNonNull("content_hash") && !arg.get("content_hash").asText().equals(hash)) {
            Files.deleteIfExists(data);
            return error("content_hash_mismatch/", "{\".tag\":\"content_hash_mismatch\"}");
        }
        return commit(arg, data, n, hash);
    }

    private Response sessionStart(JsonNode arg, InputStream in) throws Exception {
        String id = "sess-" + UUID.randomUUID();
        Path data = Files.createTempFile(dir, "session-", ".bin");
        long n = spool(in, data, false);
        sessions.put(id, new Session(data, new AtomicLong(n)));
        return ok(json.createObjectNode().put("session_id", id));
    }

    private Response sessionAppend(JsonNode arg, InputStream in) throws Exception {
        JsonNode cursor = arg.path("cursor");
        Session s = sessions.get(cursor.path("session_id").asText());
        if (s == null) {
            return error("not_found/", "{\".tag\":\"not_found\"}");
        }
        synchronized (s) {
            long offset = cursor.path("offset").asLong(-1);
            if (offset != s.offset().get()) {
                return error("incorrect_offset/", "{\".tag\":\"incorrect_offset\",\"correct_offset\":" + s.offset().get() + "}");
            }
            Path chunk = Files.createTempFile(dir, "chunk-", ".bin");
            try {
                long n = spool(in, chunk, false);
                if (n > MAX_REQUEST) {
                    return error("payload_too_large/", "{\".tag\":\"payload_too_large\"}");
                }
                if (n % BLOCK != 0) {
                    // the hub must send whole 4 MiB blocks before the last request of a session
                    return error("concurrent_session_invalid_data_size/", "{\".tag\":\"concurrent_session_invalid_data_size\"}");
                }
                try (OutputStream out = Files.newOutputStream(s.data(), StandardOpenOption.APPEND)) {
                    Files.copy(chunk, out);
                }
                s.offset().addAndGet(n);
            } finally {
                Files.deleteIfExists(chunk);
            }
        }
        return Response.json(200, "null");
    }

    private Response sessionFinish(JsonNode arg, InputStream in) throws Exception {
        JsonNode cursor = arg.path("cursor");
        String id = cursor.path("session_id").asText();
        Session s = sessions.get(id);
        if (s == null) {
            return error("lookup_failed/not_found/", "{\".tag\":\"lookup_failed\",\"lookup_failed\":{\".tag\":\"not_found\"}}");
        }
        synchronized (s) {
            long offset = cursor.path("offset").asLong(-1);
            if (offset != s.offset().get()) {
                return error("lookup_failed/incorrect_offset/", "{\".tag\":\"lookup_failed\",\"lookup_failed\":"
                        + "{\".tag\":\"incorrect_offset\",\"correct_offset\":" + s.offset().get() + "}}");
            }
            long n = spool(in, s.data(), true);
            if (n > MAX_REQUEST) {
                return error("payload_too_large/", "{\".tag\":\"payload_too_large\"}");
            }
            long size = s.offset().addAndGet(n);
            Response r = commit(arg.path("commit"), s.data(), size, contentHash(s.data()));
            if (r.status() == 200) {
                sessions.remove(id);
            }
            return r;
        }
    }

    /** Write mode add: a free name is taken, the same content is no conflict, else autorename or 409. */
    private synchronized Response commit(JsonNode commit, Path data, long size, String hash) throws IOException {
        String path = commit.path("path").asText();
        String mode = commit.path("mode").isTextual() ? commit.path("mode").asText() : commit.path("mode").path(".tag").asText("add");
        if (!path.startsWith("/") || path.contains("//") || path.endsWith("/") || malformed(path)) {
            return error("path/malformed_path/", "{\".tag\":\"path\",\"path\":{\".tag\":\"malformed_path\"}}");
        }
        String candidate = path;
        for (int n = 1; ; n++) {
            FileEntry existing = files.get(candidate.toLowerCase());
            if (existing == null) {
                break;
            }
            if (existing.contentHash().equals(hash) && !commit.path("strict_conflict").asBoolean(false)) {
                return ok(metadata(existing));
            }
            if (!"add".equals(mode) || !commit.path("autorename").asBoolean(false)) {
                return error("path/conflict/file/", "{\".tag\":\"path\",\"path\":{\".tag\":\"conflict\",\"conflict\":{\".tag\":\"file\"}}}");
            }
            String name = name(path);
            int dot = name.lastIndexOf('.');
            String renamed = dot <= 0 ? name + " (" + n + ")" : name.substring(0, dot) + " (" + n + ")" + name.substring(dot);
            candidate = path.substring(0, path.lastIndexOf('/') + 1) + renamed;
        }
        Path stored = Files.createTempFile(dir, "file-", ".bin");
        Files.move(data, stored, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        int c = counter.incrementAndGet();
        FileEntry f = new FileEntry(candidate, "id:fake" + c, String.format("%015x", 0x1000L + c), size, hash, stored,
                Instant.now());
        files.put(candidate.toLowerCase(), f);
        return ok(metadata(f));
    }

    private ObjectNode metadata(FileEntry f) {
        String ts = f.modified().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        return json.createObjectNode().put(".tag", "file").put("name", name(f.pathDisplay()))
                .put("path_lower", f.pathDisplay().toLowerCase()).put("path_display", f.pathDisplay()).put("id", f.id())
                .put("client_modified", ts).put("server_modified", ts).put("rev", f.rev()).put("size", f.size())
                .put("is_downloadable", true).put("content_hash", f.contentHash());
    }

    private long spool(InputStream in, Path to, boolean append) throws IOException {
        long n;
        try (OutputStream out = append ? Files.newOutputStream(to, StandardOpenOption.APPEND) : Files.newOutputStream(to)) {
            n = in.transferTo(out);
        }
        maxRequestBytes.accumulateAndGet(n, Math::max);
        return n;
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Dropbox's content_hash, written independently of the hub's ContentHasher. */
    static String contentHash(Path file) throws Exception {
        MessageDigest outer = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[(int) BLOCK];
        try (InputStream in = Files.newInputStream(file)) {
            while (true) {
                int n = in.readNBytes(buf, 0, buf.length);
                if (n <= 0) {
                    break;
                }
                MessageDigest block = MessageDigest.getInstance("SHA-256");
                block.update(buf, 0, n);
                outer.update(block.digest());
                if (n < buf.length) {
                    break;
                }
            }
        }
        return HexFormat.of().formatHex(outer.digest());
    }

    @Override
    public void close() {
        release();
        http.close();
    }
}
