package com.altus.hub.dropbox;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.altus.hub.platform.http.Retrier;
import com.dropbox.core.DbxException;
import com.dropbox.core.DbxWrappedException;
import com.dropbox.core.DbxRequestConfig;
import com.dropbox.core.PathRootErrorException;
import com.dropbox.core.http.StandardHttpRequestor;
import com.dropbox.core.oauth.DbxCredential;
import com.dropbox.core.stone.StoneSerializer;
import com.dropbox.core.v2.DbxClientV2;
import com.dropbox.core.v2.DbxClientV2Base;
import com.dropbox.core.v2.DbxRawClientV2;
import com.dropbox.core.v2.common.PathRoot;
import com.dropbox.core.v2.common.RootInfo;
import com.dropbox.core.v2.common.TeamRootInfo;
import com.dropbox.core.v2.files.CommitInfo;
import com.dropbox.core.v2.files.FileMetadata;
import com.dropbox.core.v2.files.GetCopyReferenceResult;
import com.dropbox.core.v2.files.GetMetadataErrorException;
import com.dropbox.core.v2.files.Metadata;
import com.dropbox.core.v2.files.UploadSessionCursor;
import com.dropbox.core.v2.files.WriteMode;
import com.dropbox.core.v2.users.FullAccount;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@link DropboxTree} on Dropbox's HTTP API v2 through the SDK, with the same host rewriting,
 * error translation and retries as {@link SdkDropboxStore}: 429 / too_many_write_operations after
 * Retry-After, 5xx and network errors with backoff, route errors as {@link DropboxApiException}.
 * Every request has a connect timeout and a read timeout ({@code hub.http.read-timeout}), which
 * also ends a body that stops arriving halfway (the socket read times out: a transient failure).
 * {@link #withRootNamespace} answers a client that sends {@code Dropbox-API-Path-Root} (the Team
 * Space); the two share the request counters.
 */
public class SdkDropboxTree implements DropboxTree {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DbxClientV2 client;
    private final DbxRawClientV2 raw;
    private final Retrier retrier;
    private final long chunkBytes;
    private final String credentialNames;
    private final Map<String, AtomicLong> calls;

    /**
     * A client for one app's refresh-token credential. {@code credentialNames} names its variables
     * in errors (e.g. "TEAM_DROPBOX_APP_KEY, TEAM_DROPBOX_APP_SECRET, TEAM_DROPBOX_REFRESH_TOKEN").
     */
    public SdkDropboxTree(String appKey, String appSecret, String refreshToken, URI api, URI content, URI oauth,
                          Retrier retrier, long chunkBytes, Duration connectTimeout, Duration readTimeout,
                          String credentialNames) {
        if (chunkBytes <= 0 || chunkBytes % ContentHasher.BLOCK != 0 || chunkBytes > DropboxStore.MAX_SINGLE_REQUEST) {
            throw new IllegalArgumentException("the session chunk size must be a multiple of 4 MiB up to 150 MiB");
        }
        StandardHttpRequestor.Config http = StandardHttpRequestor.Config.builder()
                .withConnectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .withReadTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .build();
        DbxRequestConfig config = DbxRequestConfig.newBuilder("altus-hub")
                .withHttpRequestor(new HostRewritingRequestor(new StandardHttpRequestor(http), api, content, oauth))
                .withAutoRetryDisabled()
                .build();
        this.client = new DbxClientV2(config, new DbxCredential("", 0L, refreshToken, appKey, appSecret));
        this.raw = rawClient(client);
        this.retrier = retrier;
        this.chunkBytes = chunkBytes;
        this.credentialNames = credentialNames;
        this.calls = new ConcurrentHashMap<>();
    }

    private SdkDropboxTree(SdkDropboxTree of, DbxClientV2 client) {
        this.client = client;
        this.raw = rawClient(client);
        this.retrier = of.retrier;
        this.chunkBytes = of.chunkBytes;
        this.credentialNames = of.credentialNames;
        this.calls = of.calls;
    }

    @Override
    public String kind() {
        return "dropbox";
    }

    @Override
    public DropboxTree withRootNamespace(String namespaceId) {
        return new SdkDropboxTree(this, client.withPathRoot(PathRoot.root(namespaceId)));
    }

    @Override
    public Map<String, Long> calls() {
        Map<String, Long> out = new TreeMap<>();
        calls.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public Optional<ListPage> listFolder(String path, boolean recursive, int limit) throws IOException {
        ObjectNode arg = JSON.createObjectNode().put("path", path).put("recursive", recursive)
                .put("limit", Math.max(1, Math.min(limit, MAX_LIST_LIMIT))).put("include_deleted", false);
        return call("list_folder", path, () -> {
            try {
                return Optional.of(page(rpc("files/list_folder", arg)));
            } catch (DropboxApiException e) {
                if (e.errorSummary().startsWith("path/not_found")) {
                    return Optional.<ListPage>empty();
                }
                throw e;
            }
        });
    }

    @Override
    public ListPage listFolderContinue(String cursor) throws IOException {
        ObjectNode arg = JSON.createObjectNode().put("cursor", cursor);
        return call("list_folder/continue", null, () -> page(rpc("files/list_folder/continue", arg)));
    }

    private static ListPage page(JsonNode r) {
        JsonNode list = r.path("entries");
        List<Entry> entries = new ArrayList<>(list.size());
        for (JsonNode m : list) {
            String tag = m.path(".tag").asText();
            if (tag.equals("file")) {
                entries.add(new Entry(false, m.path("path_lower").asText(null), m.path("path_display").asText(null),
                        m.path("id").asText(null), m.path("size").asLong(), m.path("content_hash").asText(null)));
            } else if (tag.equals("folder")) {
                entries.add(new Entry(true, m.path("path_lower").asText(null), m.path("path_display").asText(null),
                        m.path("id").asText(null), 0, null));
            }
        }
        return new ListPage(entries, r.path("cursor").asText(), r.path("has_more").asBoolean());
    }

    @Override
    public BatchStatus createFolderBatch(List<String> paths) throws IOException {
        if (paths.isEmpty() || paths.size() > MAX_BATCH) {
            throw new IllegalArgumentException("a folder batch has 1 to " + MAX_BATCH + " paths, not " + paths.size());
        }
        ObjectNode arg = JSON.createObjectNode().put("autorename", false).put("force_async", false);
        ArrayNode list = arg.putArray("paths");
        paths.forEach(list::add);
        return call("create_folder_batch", null, () -> {
            JsonNode launch = rpc("files/create_folder_batch", arg);
            return switch (launch.path(".tag").asText()) {
                case "async_job_id" -> new BatchStatus(launch.path("async_job_id").asText(), null);
                case "complete" -> new BatchStatus(null, entries(paths, launch.path("entries")));
                default -> throw new DropboxApiException(502, "unexpected/", "create_folder_batch: unexpected answer "
                        + launch.path(".tag").asText());
            };
        });
    }

    @Override
    public BatchStatus createFolderBatchCheck(String asyncJobId, List<String> paths) throws IOException {
        ObjectNode arg = JSON.createObjectNode().put("async_job_id", asyncJobId);
        return call("create_folder_batch/check", null, () -> {
            JsonNode s = rpc("files/create_folder_batch/check", arg);
            String tag = s.path(".tag").asText();
            if (tag.equals("in_progress")) {
                return new BatchStatus(asyncJobId, null);
            }
            if (tag.equals("complete")) {
                return new BatchStatus(asyncJobId, entries(paths, s.path("entries")));
            }
            String why = tag.equals("failed") ? SdkDropboxStore.summary(s.path("failed")) : tag + "/";
            throw new DropboxApiException(409, why, "create_folder_batch of " + paths.size() + " folders failed: " + why);
        });
    }

    private static List<BatchEntry> entries(List<String> paths, JsonNode results) {
        if (results.size() != paths.size()) {
            throw new DropboxApiException(502, "unexpected/", "create_folder_batch answered " + results.size()
                    + " entries for " + paths.size() + " paths");
        }
        List<BatchEntry> out = new ArrayList<>(paths.size());
        for (int i = 0; i < paths.size(); i++) {
            JsonNode e = results.get(i);
            if (e.path(".tag").asText().equals("success")) {
                out.add(new BatchEntry(paths.get(i), true, null));
            } else {
                out.add(new BatchEntry(paths.get(i), false, SdkDropboxStore.summary(e.path("failure"))));
            }
        }
        return out;
    }

    /**
     * An RPC call through the SDK's raw client (its hosts, credential refresh, path root and error
     * handling) with the JSON as a tree: the SDK's typed serializers re-serialize every value they
     * read (StoneDeserializerLogger), which made a listing of half a million folders CPU-bound.
     * A route error (409) becomes {@link DropboxApiException} with Dropbox's error summary.
     */
    private JsonNode rpc(String route, JsonNode arg) throws DbxException {
        try {
            return raw.rpcStyle(raw.getHost().getApi(), "2/" + route, arg, false, TREE, TREE, TREE);
        } catch (DbxWrappedException e) {
            JsonNode error = e.getErrorValue() instanceof JsonNode n ? n : null;
            String captured = HostRewritingRequestor.lastErrorSummary();
            String summary = captured != null ? captured : SdkDropboxStore.summary(error);
            if (summary.contains("too_many_write_operations")) {
                throw new com.altus.hub.platform.http.TransientFailure(route + ": Dropbox answered " + summary, 429, null, e);
            }
            throw new DropboxApiException(409, summary, route + ": Dropbox error " + summary);
        }
    }

    /** JSON trees in and out of the SDK's raw client. */
    private static final StoneSerializer<JsonNode> TREE = new StoneSerializer<>() {
        @Override
        public void serialize(JsonNode value, JsonGenerator g) throws IOException {
            JSON.writeTree(g, value);
        }

        @Override
        public JsonNode deserialize(JsonParser p) throws IOException {
            JsonNode n = JSON.readTree(p);
            p.nextToken(); // the SDK's serializers leave the parser after the value, Jackson on its last token
            return n == null ? JSON.nullNode() : n;
        }
    };

    /** The SDK client's raw client (DbxClientV2Base._client): typed requests have no tree-in, tree-out call. */
    private static DbxRawClientV2 rawClient(DbxClientV2 c) {
        try {
            Field f = DbxClientV2Base.class.getDeclaredField("_client");
            f.setAccessible(true);
            return (DbxRawClientV2) f.get(c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this Dropbox SDK has no DbxClientV2Base._client (expected SDK 7.0.0)", e);
        }
    }

    @Override
    public void move(String fromPath, String toPath) throws IOException {
        call("move_v2", fromPath + " -> " + toPath, () -> client.files().moveV2Builder(fromPath, toPath).withAutorename(false)
                .withAllowOwnershipTransfer(false).start());
    }

    @Override
    public Optional<StoredFile> metadata(String path) throws IOException {
        return call("get_metadata", path, () -> {
            try {
                Metadata m = client.files().getMetadata(path);
                return m instanceof FileMetadata f ? Optional.of(stored(f)) : Optional.<StoredFile>empty();
            } catch (GetMetadataErrorException e) {
                if (e.errorValue.isPath() && e.errorValue.getPathValue().isNotFound()) {
                    return Optional.<StoredFile>empty();
                }
                throw e;
            }
        });
    }

    @Override
    public Optional<CopyReference> copyReference(String path) throws IOException {
        return call("copy_reference/get", path, () -> {
            GetCopyReferenceResult r = client.files().copyReferenceGet(path);
            if (!(r.getMetadata() instanceof FileMetadata f)) {
                throw new DropboxApiException(409, "path/not_file/", "copy_reference/get " + path + ": not a file");
            }
            return Optional.of(new CopyReference(r.getCopyReference(), stored(f)));
        });
    }

    @Override
    public StoredFile saveCopyReference(String reference, String path) throws IOException {
        return call("copy_reference/save", path, () -> {
            Metadata m = client.files().copyReferenceSave(reference, path).getMetadata();
            if (m instanceof FileMetadata f) {
                return stored(f);
            }
            throw new DropboxApiException(502, "unexpected/", "copy_reference/save " + path + " answered a folder");
        });
    }

    @Override
    public StoredFile download(String path, Path to) throws IOException {
        return call("download", path, () -> {
            try (var downloader = client.files().download(path); OutputStream out = Files.newOutputStream(to)) {
                return stored(downloader.download(out));
            }
        });
    }

    @Override
    public StoredFile uploadExact(String path, Path file, long size, String contentHash) throws IOException {
        // write mode add without autorename: the same content already there is no conflict for Dropbox,
        // other content is path/conflict/file
        if (size <= DropboxStore.MAX_SINGLE_REQUEST) {
            return call("upload", path, () -> {
                try (InputStream in = FileSlice.open(file, 0, size)) {
                    return stored(client.files().uploadBuilder(path).withMode(WriteMode.ADD).withAutorename(false)
                            .withContentHash(contentHash).uploadAndFinish(in, size));
                }
            });
        }
        String session = call("upload_session/start", path, () -> client.files().uploadSessionStartBuilder().withClose(false)
                .uploadAndFinish(new ByteArrayInputStream(new byte[0]), 0).getSessionId());
        long offset = 0;
        while (size - offset > chunkBytes) {
            append(session, offset, file, chunkBytes);
            offset += chunkBytes;
        }
        long last = size - offset;
        long at = offset;
        return call("upload_session/finish", path, () -> {
            try (InputStream in = FileSlice.open(file, at, last)) {
                CommitInfo commit = CommitInfo.newBuilder(path).withMode(WriteMode.ADD).withAutorename(false).build();
                return stored(client.files().uploadSessionFinish(new UploadSessionCursor(session, at), commit)
                        .uploadAndFinish(in, last));
            } catch (DbxException e) {
                RuntimeException t = SdkDropboxStore.translate("upload_session/finish", e);
                if (t instanceof IncorrectOffsetException || (t instanceof DropboxApiException d
                        && d.errorSummary().startsWith("lookup_failed/"))) {
                    // an earlier finish went through and its answer was lost: the file is there
                    Optional<StoredFile> done = metadata(path);
                    if (done.isPresent() && done.get().contentHash().equals(contentHash)) {
                        return done.get();
                    }
                }
                throw t;
            }
        });
    }

    private void append(String session, long offset, Path file, long length) throws IOException {
        call("upload_session/append_v2", null, () -> {
            try (InputStream in = FileSlice.open(file, offset, length)) {
                client.files().uploadSessionAppendV2(new UploadSessionCursor(session, offset)).uploadAndFinish(in, length);
                return null;
            } catch (DbxException e) {
                RuntimeException t = SdkDropboxStore.translate("upload_session/append_v2", e);
                if (t instanceof IncorrectOffsetException io && io.correctOffset() == offset + length) {
                    return null; // it had landed; its answer was lost
                }
                throw t;
            }
        });
    }

    @Override
    public Account account() throws IOException {
        return call("users/get_current_account", null, () -> {
            FullAccount a = client.users().getCurrentAccount();
            RootInfo root = a.getRootInfo();
            return new Account(a.getAccountId(), root.getRootNamespaceId(), root.getHomeNamespaceId(), root instanceof TeamRootInfo);
        });
    }

    private static StoredFile stored(FileMetadata m) {
        return new StoredFile(m.getPathDisplay(), m.getId(), m.getRev(), m.getSize(), m.getContentHash());
    }

    @FunctionalInterface
    private interface SdkCall<T> {
        T run() throws DbxException, IOException;
    }

    /** One endpoint's request, counted per attempt, SDK errors translated, retried while transient. */
    private <T> T call(String endpoint, String subject, SdkCall<T> body) throws IOException {
        String what = endpoint + (subject == null ? "" : " " + subject);
        AtomicLong counter = calls.computeIfAbsent(endpoint, k -> new AtomicLong());
        try {
            return retrier.call(what, () -> {
                counter.incrementAndGet();
                try {
                    return body.run();
                } catch (PathRootErrorException e) {
                    throw new DropboxApiException(422, "path_root/" + SdkDropboxStore.summary(
                            SdkDropboxStore.errorJson(String.valueOf(e.getPathRootError()))),
                            what + ": Dropbox refused the root namespace (Dropbox-API-Path-Root): " + e.getPathRootError());
                } catch (DbxException e) {
                    RuntimeException t = SdkDropboxStore.translate(what, e);
                    if (t instanceof DropboxApiException d && d.status() == 401) {
                        String msg = d.getMessage().replace("DROPBOX_APP_KEY, DROPBOX_APP_SECRET, DROPBOX_REFRESH_TOKEN",
                                credentialNames);
                        throw new DropboxApiException(401, d.errorSummary(),
                                msg.contains(credentialNames) ? msg : msg + " (check " + credentialNames + ")");
                    }
                    throw t;
                }
            });
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the run is being cancelled: its next step sees it
            throw new IllegalStateException(what + " interrupted while waiting to retry", e);
        } catch (Exception e) {
            throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
        }
    }
}
