package com.altus.hub.dropbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.altus.hub.test.FakeHttpServer;
import com.altus.hub.test.FakeHttpServer.Recorded;
import com.altus.hub.test.FakeHttpServer.Response;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A fake Dropbox for the tree and Team Space side of the hub, to the HTTP API v2 contract: two
 * accounts, each with its own refresh-token app, selected by the bearer token, and namespaces
 * selected by the {@code Dropbox-API-Path-Root} header:
 * <ul>
 * <li>the App Folder app ({@link FakeDropbox#APP_KEY}, same credentials as {@link FakeDropbox}):
 * namespace {@link #APP_NS}; any other path root is 422 {@code no_permission};</li>
 * <li>the team app ({@link #TEAM_APP_KEY}): a team member whose calls go to its home namespace
 * {@link #TEAM_HOME_NS} by default and to the team's root namespace {@link #TEAM_ROOT_NS} with
 * {@code {".tag":"root","root":"3000"}}; another root is 422 {@code invalid_root}.</li>
 * </ul>
 * Endpoints: list_folder (recursive, pages of {@code limit} with cursor and has_more) and
 * list_folder/continue, create_folder_v2, create_folder_batch (sync, or async with a job id and
 * in_progress answers) and its check, move_v2 (contents move along; from_lookup/not_found,
 * to/conflict), get_metadata, copy_reference/get and /save (refusable: no_permission), download
 * (Dropbox-API-Result header), upload and upload sessions (mode add, autorename, same content is
 * no conflict), users/get_current_account with root_info. Paths are case-insensitive, parents are
 * created implicitly. Faults: {@link FakeHttpServer#failNext} (429 with Retry-After, 5xx),
 * {@link #contendNextEntries} (too_many_write_operations on batch entries). Every request is
 * counted per endpoint and account.
 */
public final class FakeDropboxTree implements AutoCloseable {
    public static final String TEAM_APP_KEY = "fake-team-app-key";
    public static final String TEAM_APP_SECRET = "fake-team-app-secret-t3am";
    public static final String TEAM_REFRESH_TOKEN = "fake-team-refresh-token-t3am";
    public static final String APP_NS = "1000";
    public static final String TEAM_HOME_NS = "2000";
    public static final String TEAM_ROOT_NS = "3000";
    static final String APP = "app";
    static final String TEAM = "team";

    /** A folder or file of a namespace. */
    public record Item(boolean folder, String pathDisplay, String id, String rev, long size, String contentHash, Path data) {
    }

    private final FakeHttpServer http = new FakeHttpServer();
    private final ObjectMapper json = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private final Path dir;
    private final Map<String, NavigableMap<String, Item>> namespaces = new ConcurrentHashMap<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final Map<String, List<Item>> cursors = new ConcurrentHashMap<>();
    private final Map<String, Integer> cursorOffsets = new ConcurrentHashMap<>();
    private final Map<String, Object[]> batchJobs = new ConcurrentHashMap<>();
    private final Map<String, Item> copyReferences = new ConcurrentHashMap<>();
    private final Map<String, Object[]> sessions = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();
    private final AtomicBoolean refuseCopyReferences = new AtomicBoolean();
    private final AtomicInteger asyncChecks = new AtomicInteger(-1);
    private final AtomicInteger contendedEntries = new AtomicInteger();
    private final Map<String, AtomicInteger> loseResponses = new ConcurrentHashMap<>();
    private final AtomicLong bytesDownloaded = new AtomicLong();
    private final AtomicLong bytesUploaded = new AtomicLong();

    public FakeDropboxTree(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        for (String ns : List.of(APP_NS, TEAM_HOME_NS, TEAM_ROOT_NS)) {
            namespaces.put(ns, new TreeMap<>());
        }
        http.on("POST", "/oauth2/token", this::token);
        rpc("/2/files/list_folder", this::listFolder);
        rpc("/2/files/list_folder/continue", this::listFolderContinue);
        rpc("/2/files/get_metadata", this::getMetadata);
        rpc("/2/files/create_folder_v2", this::createFolder);
        rpc("/2/files/create_folder_batch", this::createFolderBatch);
        rpc("/2/files/create_folder_batch/check", this::createFolderBatchCheck);
        rpc("/2/files/move_v2", this::move);
        rpc("/2/files/copy_reference/get", this::copyReferenceGet);
        rpc("/2/files/copy_reference/save", this::copyReferenceSave);
        rpc("/2/users/get_current_account", this::currentAccount);
        http.on("POST", "/2/files/download", r -> call(r, (ns, acct) -> download(ns, arg(r))));
        http.onStream("POST", "/2/files/upload", (r, in) -> call(r, (ns, acct) -> upload(ns, arg(r), in)));
        http.onStream("POST", "/2/files/upload_session/start", (r, in) -> call(r, (ns, acct) -> sessionStart(in)));
        http.onStream("POST", "/2/files/upload_session/append_v2", (r, in) -> call(r, (ns, acct) -> sessionAppend(arg(r), in)));
        http.onStream("POST", "/2/files/upload_session/finish", (r, in) -> call(r, (ns, acct) -> sessionFinish(ns, arg(r), in)));
    }

    public String baseUrl() {
        return http.baseUrl();
    }

    public FakeHttpServer http() {
        return http;
    }

    /** Settings that point a hub's App Folder credential (DROPBOX_*) at this fake. */
    public Map<String, String> appEnv() {
        return Map.of("DROPBOX_APP_KEY", FakeDropbox.APP_KEY, "DROPBOX_APP_SECRET", FakeDropbox.APP_SECRET,
                "DROPBOX_REFRESH_TOKEN", FakeDropbox.REFRESH_TOKEN, "DROPBOX_API_URL", baseUrl(),
                "DROPBOX_CONTENT_URL", baseUrl(), "DROPBOX_OAUTH_URL", baseUrl());
    }

    /** Settings for the Team Space credential (TEAM_DROPBOX_*), without the namespace (found with get_current_account). */
    public Map<String, String> teamEnv() {
        return Map.of("TEAM_DROPBOX_APP_KEY", TEAM_APP_KEY, "TEAM_DROPBOX_APP_SECRET", TEAM_APP_SECRET,
                "TEAM_DROPBOX_REFRESH_TOKEN", TEAM_REFRESH_TOKEN);
    }

    // ---- test controls and views ----

    /** Empties every namespace and forgets counts, faults, cursors and jobs. */
    public synchronized void clear() {
        namespaces.values().forEach(Map::clear);
        cursors.clear();
        cursorOffsets.clear();
        batchJobs.clear();
        copyReferences.clear();
        sessions.clear();
        calls.clear();
        refuseCopyReferences.set(false);
        asyncChecks.set(-1);
        contendedEntries.set(0);
        loseResponses.clear();
        bytesDownloaded.set(0);
        bytesUploaded.set(0);
        http.clearFaults();
        http.clearRequests();
    }

    /** copy_reference/save answers 409 no_permission (the two accounts do not allow copy references). */
    public void refuseCopyReferences(boolean refuse) {
        refuseCopyReferences.set(refuse);
    }

    /** create_folder_batch answers an async_job_id and its check answers in_progress {@code checks} times (-1: synchronous). */
    public void asyncBatches(int checks) {
        asyncChecks.set(checks);
    }

    /** The next {@code n} entries of folder batches fail with too_many_write_operations. */
    public void contendNextEntries(int n) {
        contendedEntries.set(n);
    }

    /** The next {@code n} requests to {@code endpoint} ("copy_reference/save") are carried out, but their answers are lost. */
    public void loseNextResponses(String endpoint, int n) {
        loseResponses.put(endpoint, new AtomicInteger(n));
    }

    /** Requests per endpoint ("list_folder", "create_folder_batch/check", ...), OAuth excluded. */
    public long calls(String endpoint) {
        long n = 0;
        for (Map.Entry<String, AtomicLong> e : calls.entrySet()) {
            if (e.getKey().endsWith(" " + endpoint)) {
                n += e.getValue().get();
            }
        }
        return n;
    }

    /** Requests of one account ("app" or "team") to an endpoint. */
    public long calls(String account, String endpoint) {
        AtomicLong n = calls.get(account + " " + endpoint);
        return n == null ? 0 : n.get();
    }

    /** Every count, "account endpoint" -> requests. */
    public Map<String, Long> callCounts() {
        Map<String, Long> out = new TreeMap<>();
        calls.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public long totalCalls() {
        return calls.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public void resetCalls() {
        calls.clear();
        bytesDownloaded.set(0);
        bytesUploaded.set(0);
    }

    public long bytesDownloaded() {
        return bytesDownloaded.get();
    }

    public long bytesUploaded() {
        return bytesUploaded.get();
    }

    public synchronized boolean exists(String ns, String path) {
        return ns(ns).containsKey(lower(path));
    }

    public synchronized Item item(String ns, String path) {
        return ns(ns).get(lower(path));
    }

    /** Display paths of the folders of a namespace below {@code prefix}. */
    public synchronized List<String> folders(String ns, String prefix) {
        List<String> out = new ArrayList<>();
        for (Item i : below(ns(ns), lower(prefix))) {
            if (i.folder()) {
                out.add(i.pathDisplay());
            }
        }
        return out;
    }

    /** The files of a namespace below {@code prefix}. */
    public synchronized List<Item> files(String ns, String prefix) {
        List<Item> out = new ArrayList<>();
        for (Item i : below(ns(ns), lower(prefix))) {
            if (!i.folder()) {
                out.add(i);
            }
        }
        return out;
    }

    /** Stores a file as if uploaded; answers its content_hash. */
    public synchronized String putFile(String ns, String path, byte[] content) throws Exception {
        Path data = Files.createTempFile(dir, "file-", ".bin");
        Files.write(data, content);
        String hash = FakeDropbox.contentHash(data);
        parents(ns(ns), path);
        ns(ns).put(lower(path), new Item(false, path, "id:f" + counter.incrementAndGet(), rev(), content.length, hash, data));
        return hash;
    }

    public synchronized void putFolder(String ns, String path) {
        parents(ns(ns), path + "/x");
    }

    /** Removes a file or a folder with its contents (as if deleted by a user). */
    public synchronized void delete(String ns, String path) {
        String p = lower(path);
        NavigableMap<String, Item> m = ns(ns);
        m.remove(p);
        m.subMap(p + "/", true, p + "/\uffff", true).clear();
    }

    // ---- plumbing ----

    @FunctionalInterface
    private interface Handler {
        Response handle(String ns, String account) throws Exception;
    }

    @FunctionalInterface
    private interface Rpc {
        Response handle(String ns, String account, JsonNode arg) throws Exception;
    }

    private void rpc(String path, Rpc handler) {
        http.on("POST", path, r -> call(r, (ns, acct) -> {
            String body = r.bodyText().isBlank() ? "null" : r.bodyText();
            return handler.handle(ns, acct, json.readTree(body));
        }));
    }

    private JsonNode arg(Recorded r) throws IOException {
        String a = r.headers().getFirst("Dropbox-API-Arg");
        if (a == null) {
            throw new IllegalArgumentException("missing Dropbox-API-Arg");
        }
        return json.readTree(a);
    }

    /** Authenticates, counts, resolves the namespace from the account and Dropbox-API-Path-Root, then handles. */
    private Response call(Recorded r, Handler h) throws Exception {
        String auth = r.headers().getFirst("Authorization");
        String account = auth != null && auth.startsWith("Bearer ") ? tokens.get(auth.substring(7)) : null;
        String endpoint = r.path().startsWith("/2/files/") ? r.path().substring(9) : r.path().substring(3);
        calls.computeIfAbsent((account == null ? "anonymous" : account) + " " + endpoint, k -> new AtomicLong()).incrementAndGet();
        if (account == null) {
            return Response.json(401, "{\"error_summary\":\"invalid_access_token/..\",\"error\":{\".tag\":\"invalid_access_token\"}}");
        }
        String home = account.equals(TEAM) ? TEAM_HOME_NS : APP_NS;
        String root = account.equals(TEAM) ? TEAM_ROOT_NS : APP_NS;
        String ns = home;
        String pathRoot = r.headers().getFirst("Dropbox-API-Path-Root");
        if (pathRoot != null) {
            JsonNode pr = json.readTree(pathRoot);
            String tag = pr.path(".tag").asText();
            String wanted = switch (tag) {
                case "home" -> home;
                case "root" -> pr.path("root").asText();
                case "namespace_id" -> pr.path("namespace_id").asText();
                default -> null;
            };
            boolean allowed = wanted != null && (wanted.equals(home) || wanted.equals(root));
            if (!allowed) {
                if (account.equals(TEAM) && tag.equals("root")) {
                    return Response.json(422, "{\"error_summary\":\"invalid_root/..\",\"error\":{\".tag\":\"invalid_root\","
                            + "\"invalid_root\":{\".tag\":\"team\",\"home_namespace_id\":\"" + TEAM_HOME_NS
                            + "\",\"root_namespace_id\":\"" + TEAM_ROOT_NS + "\",\"home_path\":\"/Team Member\"}}}");
                }
                return Response.json(422, "{\"error_summary\":\"no_permission/..\",\"error\":{\".tag\":\"no_permission\"}}");
            }
            ns = wanted;
        }
        Response answer = h.handle(ns, account);
        AtomicInteger lose = loseResponses.get(endpoint);
        if (lose != null && lose.getAndDecrement() > 0) {
            return Response.lost();
        }
        return answer;
    }

    private NavigableMap<String, Item> ns(String ns) {
        NavigableMap<String, Item> m = namespaces.get(ns);
        if (m == null) {
            throw new IllegalArgumentException("no namespace " + ns);
        }
        return m;
    }

    private static String lower(String path) {
        return path.toLowerCase(Locale.ROOT);
    }

    private static List<Item> below(NavigableMap<String, Item> m, String prefix) {
        if (prefix.isEmpty()) {
            return new ArrayList<>(m.values());
        }
        return new ArrayList<>(m.subMap(prefix + "/", true, prefix + "/\uffff", true).values());
    }

    private String rev() {
        return String.format("%015x", 0x1000L + counter.incrementAndGet());
    }

    /**
     * Creates the folders above {@code path} that are missing (Dropbox does it implicitly). Every
     * item's parents exist, so the walk up stops at the first folder that is there.
     */
    private void parents(NavigableMap<String, Item> m, String path) {
        List<String> missing = new ArrayList<>();
        for (int i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
            String p = path.substring(0, i);
            if (m.containsKey(lower(p))) {
                break;
            }
            missing.add(p);
        }
        for (String p : missing) {
            m.put(lower(p), new Item(true, p, "id:d" + counter.incrementAndGet(), null, 0, null, null));
        }
    }

    /** The file at {@code path} or above it (a folder cannot go there), or null: only the nearest existing item can be one. */
    private static Item fileInTheWay(NavigableMap<String, Item> m, String path) {
        String p = lower(path);
        while (true) {
            Item it = m.get(p);
            if (it != null) {
                return it.folder() ? null : it;
            }
            int i = p.lastIndexOf('/');
            if (i <= 0) {
                return null;
            }
            p = p.substring(0, i);
        }
    }

    private Response error(String summary, String errorJson) {
        return Response.json(409, "{\"error_summary\":\"" + summary + "..\",\"error\":" + errorJson + "}");
    }

    private Response ok(Object body) throws IOException {
        return Response.json(200, json.writeValueAsString(body));
    }

    private static final String NOT_FOUND = "{\".tag\":\"path\",\"path\":{\".tag\":\"not_found\"}}";

    private static boolean malformed(String path) {
        return !path.startsWith("/") || path.endsWith("/") || path.contains("//");
    }

    private ObjectNode metadata(Item i) {
        String name = i.pathDisplay().substring(i.pathDisplay().lastIndexOf('/') + 1);
        ObjectNode m = json.createObjectNode().put(".tag", i.folder() ? "folder" : "file").put("name", name)
                .put("path_lower", lower(i.pathDisplay())).put("path_display", i.pathDisplay()).put("id", i.id());
        if (!i.folder()) {
            m.put("client_modified", "2025-12-15T00:00:00Z").put("server_modified", "2025-12-15T00:00:00Z")
                    .put("rev", i.rev()).put("size", i.size()).put("is_downloadable", true).put("content_hash", i.contentHash());
        }
        return m;
    }

    // ---- OAuth ----

    private Response token(Recorded r) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String part : r.bodyText().split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String key = form.get("client_id");
        String secret = form.get("client_secret");
        String basic = r.headers().getFirst("Authorization");
        if (basic != null && basic.startsWith("Basic ")) {
            String[] kv = new String(Base64.getDecoder().decode(basic.substring(6)), StandardCharsets.UTF_8).split(":", 2);
            key = kv[0];
            secret = kv.length > 1 ? kv[1] : null;
        }
        String account = null;
        if (FakeDropbox.APP_KEY.equals(key) && (secret == null || FakeDropbox.APP_SECRET.equals(secret))
                && FakeDropbox.REFRESH_TOKEN.equals(form.get("refresh_token"))) {
            account = APP;
        } else if (TEAM_APP_KEY.equals(key) && (secret == null || TEAM_APP_SECRET.equals(secret))
                && TEAM_REFRESH_TOKEN.equals(form.get("refresh_token"))) {
            account = TEAM;
        }
        if (!"refresh_token".equals(form.get("grant_type")) || account == null) {
            return Response.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token is invalid\"}");
        }
        String token = "fake-" + account + "-access-" + UUID.randomUUID();
        tokens.put(token, account);
        return Response.json(200, "{\"access_token\":\"" + token + "\",\"token_type\":\"bearer\",\"expires_in\":14400}");
    }

    // ---- account ----

    private Response currentAccount(String ns, String account, JsonNode arg) throws IOException {
        boolean team = account.equals(TEAM);
        ObjectNode name = json.createObjectNode().put("given_name", team ? "Team" : "App").put("surname", "Member")
                .put("familiar_name", team ? "Team" : "App").put("display_name", (team ? "Team" : "App") + " Member")
                .put("abbreviated_name", "TM");
        ObjectNode rootInfo = json.createObjectNode();
        if (team) {
            rootInfo.put(".tag", "team").put("root_namespace_id", TEAM_ROOT_NS).put("home_namespace_id", TEAM_HOME_NS)
                    .put("home_path", "/Team Member");
        } else {
            rootInfo.put(".tag", "user").put("root_namespace_id", APP_NS).put("home_namespace_id", APP_NS);
        }
        ObjectNode a = json.createObjectNode().put("account_id", String.format("dbid:%-35s", "fake-" + account).replace(' ', 'x')).set("name", name);
        a.put("email", account + "@example.com").put("email_verified", true).put("disabled", false).put("locale", "en")
                .put("referral_link", "https://db.tt/fake").put("is_paired", false);
        a.set("account_type", json.createObjectNode().put(".tag", team ? "business" : "basic"));
        a.set("root_info", rootInfo);
        a.put("country", "US");
        return ok(a);
    }

    // ---- folders and listings ----

    private synchronized Response getMetadata(String ns, String account, JsonNode arg) throws IOException {
        Item i = ns(ns).get(lower(arg.path("path").asText()));
        return i == null ? error("path/not_found/", NOT_FOUND) : ok(metadata(i));
    }

    private synchronized Response createFolder(String ns, String account, JsonNode arg) throws IOException {
        String path = arg.path("path").asText();
        JsonNode entry = createOne(ns(ns), path);
        if (entry.path(".tag").asText().equals("failure")) {
            JsonNode f = entry.path("failure");
            return error(f.path(".tag").asText() + "/" + f.path("path").path(".tag").asText() + "/", f.toString());
        }
        return ok(json.createObjectNode().set("metadata", entry.path("metadata")));
    }

    /** One create_folder_batch entry: success with metadata, or a failure union. */
    private JsonNode createOne(NavigableMap<String, Item> m, String path) {
        ObjectNode e = json.createObjectNode();
        String failure = null;
        if (malformed(path)) {
            failure = "{\".tag\":\"path\",\"path\":{\".tag\":\"malformed_path\"}}";
        } else if (contendedEntries.get() > 0 && contendedEntries.getAndDecrement() > 0) {
            failure = "{\".tag\":\"path\",\"path\":{\".tag\":\"too_many_write_operations\"}}";
        } else if (fileInTheWay(m, path) != null) {
            failure = "{\".tag\":\"path\",\"path\":{\".tag\":\"conflict\",\"conflict\":{\".tag\":\"file\"}}}";
        } else if (m.containsKey(lower(path))) {
            failure = "{\".tag\":\"path\",\"path\":{\".tag\":\"conflict\",\"conflict\":{\".tag\":\"folder\"}}}";
        }
        if (failure != null) {
            try {
                e.put(".tag", "failure").set("failure", json.readTree(failure));
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);
            }
            return e;
        }
        parents(m, path);
        Item folder = new Item(true, path, "id:d" + counter.incrementAndGet(), null, 0, null, null);
        m.put(lower(path), folder);
        ObjectNode meta = metadata(folder);
        meta.remove(".tag");
        e.put(".tag", "success").set("metadata", meta);
        return e;
    }

    private synchronized Response createFolderBatch(String ns, String account, JsonNode arg) throws IOException {
        JsonNode paths = arg.path("paths");
        if (!paths.isArray() || paths.size() == 0 || paths.size() > 10_000) {
            return Response.of(400, "text/plain", ("Error in call to API function \"files/create_folder_batch\": "
                    + "request body: paths: must have 1 to 10000 items").getBytes(StandardCharsets.UTF_8));
        }
        if (arg.path("autorename").asBoolean(false)) {
            return Response.of(400, "text/plain", "the hub never asks for autorename".getBytes(StandardCharsets.UTF_8));
        }
        ArrayNode entries = json.createArrayNode();
        for (JsonNode p : paths) {
            entries.add(createOne(ns(ns), p.asText()));
        }
        int checks = asyncChecks.get();
        if (checks < 0 && !arg.path("force_async").asBoolean(false)) {
            ObjectNode done = json.createObjectNode().put(".tag", "complete");
            done.set("entries", entries);
            return ok(done);
        }
        String job = "dbjid:" + UUID.randomUUID();
        batchJobs.put(job, new Object[] {entries, new AtomicInteger(Math.max(0, checks))});
        return ok(json.createObjectNode().put(".tag", "async_job_id").put("async_job_id", job));
    }

    private Response createFolderBatchCheck(String ns, String account, JsonNode arg) throws IOException {
        Object[] job = batchJobs.get(arg.path("async_job_id").asText());
        if (job == null) {
            return error("invalid_async_job_id/", "{\".tag\":\"invalid_async_job_id\"}");
        }
        if (((AtomicInteger) job[1]).getAndDecrement() > 0) {
            return ok(json.createObjectNode().put(".tag", "in_progress"));
        }
        ObjectNode done = json.createObjectNode().put(".tag", "complete");
        done.set("entries", (JsonNode) job[0]);
        return ok(done);
    }

    private synchronized Response listFolder(String ns, String account, JsonNode arg) throws IOException {
        String path = arg.path("path").asText();
        String p = lower(path);
        NavigableMap<String, Item> m = ns(ns);
        if (!p.isEmpty()) {
            Item at = m.get(p);
            if (at == null) {
                return error("path/not_found/", NOT_FOUND);
            }
            if (!at.folder()) {
                return error("path/not_folder/", "{\".tag\":\"path\",\"path\":{\".tag\":\"not_folder\"}}");
            }
        }
        List<Item> all = below(m, p);
        if (!arg.path("recursive").asBoolean(false)) {
            all.removeIf(i -> lower(i.pathDisplay()).indexOf('/', p.length() + 1) >= 0);
        }
        int limit = arg.path("limit").asInt(500);
        if (limit < 1 || limit > 2000) {
            return Response.of(400, "text/plain", "Error in call: limit must be 1..2000".getBytes(StandardCharsets.UTF_8));
        }
        String cursor = "cursor-" + UUID.randomUUID();
        cursors.put(cursor, all);
        cursorOffsets.put(cursor, limit);
        return page(cursor, 0, limit);
    }

    private synchronized Response listFolderContinue(String ns, String account, JsonNode arg) throws IOException {
        String cursor = arg.path("cursor").asText();
        List<Item> all = cursors.get(cursor);
        if (all == null) {
            return error("reset/", "{\".tag\":\"reset\"}");
        }
        int served = cursorOffsets.getOrDefault(cursor + "#", 0);
        return page(cursor, served, cursorOffsets.get(cursor));
    }

    private Response page(String cursor, int from, int limit) throws IOException {
        List<Item> all = cursors.get(cursor);
        int to = Math.min(all.size(), from + limit);
        ArrayNode entries = json.createArrayNode();
        for (Item i : all.subList(from, to)) {
            entries.add(metadata(i));
        }
        cursorOffsets.put(cursor + "#", to);
        ObjectNode page = json.createObjectNode();
        page.set("entries", entries);
        page.put("cursor", cursor).put("has_more", to < all.size());
        return ok(page);
    }

    private synchronized Response move(String ns, String account, JsonNode arg) throws IOException {
        String from = arg.path("from_path").asText();
        String to = arg.path("to_path").asText();
        NavigableMap<String, Item> m = ns(ns);
        String f = lower(from);
        String t = lower(to);
        Item src = m.get(f);
        if (src == null) {
            return error("from_lookup/not_found/", "{\".tag\":\"from_lookup\",\"from_lookup\":{\".tag\":\"not_found\"}}");
        }
        if (malformed(to)) {
            return error("to/malformed_path/", "{\".tag\":\"to\",\"to\":{\".tag\":\"malformed_path\"}}");
        }
        if (t.startsWith(f + "/")) {
            return error("cant_move_folder_into_itself/", "{\".tag\":\"cant_move_folder_into_itself\"}");
        }
        Item there = m.get(t);
        if (there != null && !t.equals(f)) {
            return error("to/conflict/" + (there.folder() ? "folder" : "file") + "/", "{\".tag\":\"to\",\"to\":{\".tag\":\"conflict\","
                    + "\"conflict\":{\".tag\":\"" + (there.folder() ? "folder" : "file") + "\"}}}");
        }
        if (fileInTheWay(m, FolderMap.parent(to)) != null) {
            return error("to/conflict/file/", "{\".tag\":\"to\",\"to\":{\".tag\":\"conflict\",\"conflict\":{\".tag\":\"file\"}}}");
        }
        List<Item> moving = new ArrayList<>();
        moving.add(src);
        moving.addAll(below(m, f));
        for (Item i : moving) {
            m.remove(lower(i.pathDisplay()));
        }
        parents(m, to);
        Item moved = null;
        for (Item i : moving) {
            String display = to + i.pathDisplay().substring(from.length());
            Item n = new Item(i.folder(), display, i.id(), i.rev(), i.size(), i.contentHash(), i.data());
            m.put(lower(display), n);
            if (moved == null) {
                moved = n;
            }
        }
        return ok(json.createObjectNode().set("metadata", metadata(moved)));
    }

    // ---- copy references ----

    private synchronized Response copyReferenceGet(String ns, String account, JsonNode arg) throws IOException {
        Item i = ns(ns).get(lower(arg.path("path").asText()));
        if (i == null) {
            return error("path/not_found/", NOT_FOUND);
        }
        String ref = "cref-" + UUID.randomUUID().toString().replace("-", "");
        copyReferences.put(ref, i);
        ObjectNode r = json.createObjectNode();
        r.set("metadata", metadata(i));
        r.put("copy_reference", ref).put("expires", "2045-05-12T15:50:38Z");
        return ok(r);
    }

    private synchronized Response copyReferenceSave(String ns, String account, JsonNode arg) throws IOException {
        if (refuseCopyReferences.get()) {
            return error("no_permission/", "{\".tag\":\"no_permission\"}");
        }
        Item src = copyReferences.get(arg.path("copy_reference").asText());
        if (src == null) {
            return error("invalid_copy_reference/", "{\".tag\":\"invalid_copy_reference\"}");
        }
        String path = arg.path("path").asText();
        NavigableMap<String, Item> m = ns(ns);
        if (m.containsKey(lower(path)) || fileInTheWay(m, FolderMap.parent(path)) != null) {
            return error("path/conflict/file/", "{\".tag\":\"path\",\"path\":{\".tag\":\"conflict\",\"conflict\":{\".tag\":\"file\"}}}");
        }
        parents(m, path);
        Item copy = new Item(src.folder(), path, "id:f" + counter.incrementAndGet(), rev(), src.size(), src.contentHash(), src.data());
        m.put(lower(path), copy);
        return ok(json.createObjectNode().set("metadata", metadata(copy)));
    }

    // ---- content ----

    private Response download(String ns, JsonNode arg) throws IOException {
        Item i;
        synchronized (this) {
            i = ns(ns).get(lower(arg.path("path").asText()));
        }
        if (i == null || i.folder()) {
            return error("path/not_found/", NOT_FOUND);
        }
        byte[] body = Files.readAllBytes(i.data());
        bytesDownloaded.addAndGet(body.length);
        return new Response(200, Map.of("Content-Type", "application/octet-stream",
                "Dropbox-API-Result", json.writeValueAsString(metadata(i))), body);
    }

    private long spool(InputStream in, Path to, boolean append) throws IOException {
        long n;
        try (OutputStream out = append ? Files.newOutputStream(to, StandardOpenOption.APPEND) : Files.newOutputStream(to)) {
            n = in.transferTo(out);
        }
        bytesUploaded.addAndGet(n);
        return n;
    }

    private Response upload(String ns, JsonNode arg, InputStream in) throws Exception {
        Path data = Files.createTempFile(dir, "upload-", ".bin");
        long n = spool(in, data, false);
        String hash = FakeDropbox.contentHash(data);
        if (arg.hasNonNull("content_hash") && !arg.get("content_hash").asText().equals(hash)) {
            Files.deleteIfExists(data);
            return error("content_hash_mismatch/", "{\".tag\":\"content_hash_mismatch\"}");
        }
        return commit(ns, arg, data, n, hash);
    }

    private Response sessionStart(InputStream in) throws Exception {
        String id = "sess-" + UUID.randomUUID();
        Path data = Files.createTempFile(dir, "session-", ".bin");
        long n = spool(in, data, false);
        sessions.put(id, new Object[] {data, new AtomicLong(n)});
        return ok(json.createObjectNode().put("session_id", id));
    }

    private Response sessionAppend(JsonNode arg, InputStream in) throws Exception {
        JsonNode cursor = arg.path("cursor");
        Object[] s = sessions.get(cursor.path("session_id").asText());
        if (s == null) {
            return error("not_found/", "{\".tag\":\"not_found\"}");
        }
        synchronized (s) {
            AtomicLong offset = (AtomicLong) s[1];
            if (cursor.path("offset").asLong(-1) != offset.get()) {
                return error("incorrect_offset/", "{\".tag\":\"incorrect_offset\",\"correct_offset\":" + offset.get() + "}");
            }
            offset.addAndGet(spool(in, (Path) s[0], true));
        }
        return Response.json(200, "null");
    }

    private Response sessionFinish(String ns, JsonNode arg, InputStream in) throws Exception {
        JsonNode cursor = arg.path("cursor");
        String id = cursor.path("session_id").asText();
        Object[] s = sessions.get(id);
        if (s == null) {
            return error("lookup_failed/not_found/", "{\".tag\":\"lookup_failed\",\"lookup_failed\":{\".tag\":\"not_found\"}}");
        }
        synchronized (s) {
            AtomicLong offset = (AtomicLong) s[1];
            if (cursor.path("offset").asLong(-1) != offset.get()) {
                return error("lookup_failed/incorrect_offset/", "{\".tag\":\"lookup_failed\",\"lookup_failed\":"
                        + "{\".tag\":\"incorrect_offset\",\"correct_offset\":" + offset.get() + "}}");
            }
            long size = offset.addAndGet(spool(in, (Path) s[0], true));
            Response r = commit(ns, arg.path("commit"), (Path) s[0], size, FakeDropbox.contentHash((Path) s[0]));
            if (r.status() == 200) {
                sessions.remove(id);
            }
            return r;
        }
    }

    /** Write mode add: a free name is taken, the same content is no conflict, else autorename or path/conflict/file. */
    private synchronized Response commit(String ns, JsonNode commit, Path data, long size, String hash) throws IOException {
        String path = commit.path("path").asText();
        if (malformed(path)) {
            return error("path/malformed_path/", "{\".tag\":\"path\",\"path\":{\".tag\":\"malformed_path\"}}");
        }
        NavigableMap<String, Item> m = ns(ns);
        if (fileInTheWay(m, FolderMap.parent(path)) != null) {
            return error("path/conflict/file/", "{\".tag\":\"path\",\"path\":{\".tag\":\"conflict\",\"conflict\":{\".tag\":\"file\"}}}");
        }
        String candidate = path;
        for (int n = 1; ; n++) {
            Item existing = m.get(lower(candidate));
            if (existing == null) {
                break;
            }
            if (existing.folder()) {
                return error("path/conflict/folder/", "{\".tag\":\"path\",\"path\":{\".tag\":\"conflict\",\"conflict\":{\".tag\":\"folder\"}}}");
            }
            if (existing.contentHash().equals(hash) && !commit.path("strict_conflict").asBoolean(false)) {
                return ok(metadata(existing));
            }
            if (!commit.path("autorename").asBoolean(false)) {
                return error("path/conflict/file/", "{\".tag\":\"path\",\"path\":{\".tag\":\"conflict\",\"conflict\":{\".tag\":\"file\"}}}");
            }
            candidate = FolderMap.parent(path) + "/" + FolderMap.numbered(FolderMap.name(path), n);
        }
        Path stored = Files.createTempFile(dir, "file-", ".bin");
        Files.move(data, stored, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        parents(m, candidate);
        Item f = new Item(false, candidate, "id:f" + counter.incrementAndGet(), rev(), size, hash, stored);
        m.put(lower(candidate), f);
        return ok(metadata(f));
    }

    @Override
    public void close() {
        http.close();
    }
}
