package com.altus.hub.dropbox;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.altus.hub.platform.http.Retrier;
import com.altus.hub.platform.http.TransientFailure;
import com.dropbox.core.BadRequestException;
import com.dropbox.core.BadResponseCodeException;
import com.dropbox.core.DbxApiException;
import com.dropbox.core.DbxException;
import com.dropbox.core.DbxRequestConfig;
import com.dropbox.core.InvalidAccessTokenException;
import com.dropbox.core.NetworkIOException;
import com.dropbox.core.RetryException;
import com.dropbox.core.ServerException;
import com.dropbox.core.http.StandardHttpRequestor;
import com.dropbox.core.oauth.DbxCredential;
import com.dropbox.core.v2.DbxClientV2;
import com.dropbox.core.v2.files.CommitInfo;
import com.dropbox.core.v2.files.FileMetadata;
import com.dropbox.core.v2.files.GetMetadataErrorException;
import com.dropbox.core.v2.files.Metadata;
import com.dropbox.core.v2.files.UploadSessionCursor;
import com.dropbox.core.v2.files.WriteMode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DropboxStore} on Dropbox's HTTP API v2 through the official SDK (camel-dropbox's
 * producer buffers whole files and reports failures as result codes, so it is not used).
 * Refresh-token credentials: the SDK fetches a short-lived access token from /oauth2/token
 * before the first call and whenever it is about to expire. Every call goes through the
 * platform {@link Retrier}: 429 / too_many_write_operations after Retry-After, 5xx and network
 * errors with backoff; all request bodies are replayable (spooled files), so a retry resends
 * exactly the same bytes. Route errors (409) become {@link DropboxApiException} with Dropbox's
 * error summary; incorrect_offset becomes {@link IncorrectOffsetException}.
 */
public class SdkDropboxStore implements DropboxStore {
    private static final Logger log = LoggerFactory.getLogger(SdkDropboxStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DbxClientV2 client;
    private final Retrier retrier;
    private final long chunkBytes;

    public SdkDropboxStore(String appKey, String appSecret, String refreshToken, URI api, URI content, URI oauth,
                           Retrier retrier, long chunkBytes, Duration readTimeout) {
        if (chunkBytes <= 0 || chunkBytes % ContentHasher.BLOCK != 0 || chunkBytes > MAX_SINGLE_REQUEST) {
            throw new IllegalArgumentException("the session chunk size must be a multiple of 4 MiB up to 150 MiB");
        }
        StandardHttpRequestor.Config http = StandardHttpRequestor.Config.builder()
                .withConnectTimeout(20, TimeUnit.SECONDS)
                .withReadTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .build();
        DbxRequestConfig config = DbxRequestConfig.newBuilder("altus-hub")
                .withHttpRequestor(new HostRewritingRequestor(new StandardHttpRequestor(http), api, content, oauth))
                // retries are ours (they know which bodies can be resent and honour Retry-After)
                .withAutoRetryDisabled()
                .build();
        // no access token yet and "expired": the SDK refreshes before the first call
        DbxCredential credential = new DbxCredential("", 0L, refreshToken, appKey, appSecret);
        this.client = new DbxClientV2(config, credential);
        this.retrier = retrier;
        this.chunkBytes = chunkBytes;
    }

    @Override
    public String kind() {
        return "dropbox";
    }

    @Override
    public StoredFile upload(String path, Path file, long size, String contentHash) throws IOException {
        Optional<StoredFile> existing = metadata(path);
        if (existing.isPresent() && existing.get().contentHash().equals(contentHash)) {
            return existing.get();
        }
        if (size > MAX_SINGLE_REQUEST) {
            String session = startSession();
            long offset = 0;
            while (size - offset > chunkBytes) {
                append(session, offset, Chunk.of(file, offset, chunkBytes), chunkBytes);
                offset += chunkBytes;
            }
            return commit(session, offset, Chunk.of(file, offset, size - offset), size - offset, path, contentHash);
        }
        return call("files/upload " + path, () -> {
            try (InputStream in = FileSlice.open(file, 0, size)) {
                FileMetadata m = client.files().uploadBuilder(path).withMode(WriteMode.ADD).withAutorename(true)
                        .withContentHash(contentHash).uploadAndFinish(in, size);
                return stored(m);
            }
        });
    }

    @Override
    public Optional<StoredFile> metadata(String path) throws IOException {
        return call("files/get_metadata " + path, () -> {
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
    public String startSession() throws IOException {
        return call("files/upload_session/start", () -> client.files().uploadSessionStartBuilder().withClose(false)
                .uploadAndFinish(new ByteArrayInputStream(new byte[0]), 0).getSessionId());
    }

    @Override
    public void append(String sessionId, long offset, Chunk chunk, long length) throws IOException {
        call("files/upload_session/append_v2 at " + offset, () -> {
            try (InputStream in = chunk.open()) {
                client.files().uploadSessionAppendV2(new UploadSessionCursor(sessionId, offset)).uploadAndFinish(in, length);
                return null;
            } catch (DbxException e) {
                RuntimeException t = translate("files/upload_session/append_v2", e);
                if (t instanceof IncorrectOffsetException io && io.correctOffset() == offset + length) {
                    log.info("upload session append at {} had already landed (its answer was lost)", offset);
                    return null;
                }
                throw t;
            }
        });
    }

    @Override
    public Appender openAppend(String sessionId, long offset) throws IOException {
        com.dropbox.core.v2.files.UploadSessionAppendV2Uploader up;
        try {
            up = client.files().uploadSessionAppendV2(new UploadSessionCursor(sessionId, offset));
        } catch (DbxException e) {
            throw translate("files/upload_session/append_v2", e);
        }
        return new Appender() {
            @Override
            public java.io.OutputStream body() {
                return up.getOutputStream();
            }

            @Override
            public void finish() throws IOException {
                try {
                    up.finish();
                } catch (DbxException e) {
                    throw translate("files/upload_session/append_v2 at " + offset, e);
                } finally {
                    up.close();
                }
            }

            @Override
            public void abort() {
                up.abort();
                up.close();
            }
        };
    }

    @Override
    public StoredFile finish(String sessionId, long offset, Chunk last, long lastLength, String path, String contentHash)
            throws IOException {
        Optional<StoredFile> existing = metadata(path);
        if (existing.isPresent() && existing.get().contentHash().equals(contentHash)) {
            return existing.get(); // same name, same content: nothing to commit (the session expires unused)
        }
        return commit(sessionId, offset, last, lastLength, path, contentHash);
    }

    private StoredFile commit(String sessionId, long offset, Chunk last, long lastLength, String path, String contentHash)
            throws IOException {
        int[] attempt = {0};
        return call("files/upload_session/finish " + path, () -> {
            attempt[0]++;
            try (InputStream in = last.open()) {
                CommitInfo commit = CommitInfo.newBuilder(path).withMode(WriteMode.ADD).withAutorename(true).build();
                return stored(client.files().uploadSessionFinish(new UploadSessionCursor(sessionId, offset), commit)
                        .uploadAndFinish(in, lastLength));
            } catch (DbxException e) {
                RuntimeException t = translate("files/upload_session/finish", e);
                if (attempt[0] > 1 && (t instanceof IncorrectOffsetException
                        || (t instanceof DropboxApiException d && d.errorSummary().startsWith("lookup_failed/")))) {
                    // an earlier finish went through but its answer was lost: find what it committed
                    Optional<StoredFile> done = findStored(path, contentHash);
                    if (done.isPresent()) {
                        return done.get();
                    }
                }
                throw t;
            }
        });
    }

    /** Dropbox sessions cannot be cancelled; an unfinished one expires 7 days after its start. */
    @Override
    public void discardSession(String sessionId) {
        log.debug("upload session {} given up; Dropbox expires it on its own", sessionId);
    }

    @Override
    public void createFolders(List<String> paths) throws IOException {
        for (String p : paths) {
            call("files/create_folder_v2 " + p, () -> {
                try {
                    client.files().createFolderV2(p, false);
                } catch (DbxException e) {
                    RuntimeException t = translate("files/create_folder_v2", e);
                    if (!(t instanceof DropboxApiException d && d.errorSummary().startsWith("path/conflict/folder"))) {
                        throw t;
                    }
                }
                return null;
            });
        }
    }

    private static StoredFile stored(FileMetadata m) {
        return new StoredFile(m.getPathDisplay(), m.getId(), m.getRev(), m.getSize(), m.getContentHash());
    }

    /** A Dropbox call whose SDK exceptions are translated, retried while transient. */
    private <T> T call(String what, SdkCall<T> body) throws IOException {
        try {
            return retrier.call(what, () -> {
                try {
                    return body.run();
                } catch (DbxException e) {
                    throw translate(what, e);
                }
            });
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface SdkCall<T> {
        T run() throws DbxException, IOException;
    }

    /** Classifies an SDK exception; messages carry Dropbox's error summary, never credentials. */
    static RuntimeException translate(String what, DbxException e) {
        if (e instanceof RetryException r) { // RateLimitException (429, incl. too_many_write_operations) and 503
            boolean limited = e instanceof com.dropbox.core.RateLimitException;
            return new TransientFailure(what + ": Dropbox answered " + (limited ? "429 (rate limited)" : "503 (retry later)"),
                    limited ? 429 : 503, r.getBackoffMillis() > 0 ? Duration.ofMillis(r.getBackoffMillis()) : null, e);
        }
        if (e instanceof ServerException) {
            return new TransientFailure(what + ": Dropbox server error", 500, null, e);
        }
        if (e instanceof NetworkIOException n) {
            return new TransientFailure(what + ": network error (" + n.getCause().getClass().getSimpleName() + ": "
                    + n.getCause().getMessage() + ")", 0, null, e);
        }
        if (e instanceof InvalidAccessTokenException) {
            return new DropboxApiException(401, "invalid_access_token/",
                    what + ": Dropbox rejected the access token (check DROPBOX_APP_KEY, DROPBOX_APP_SECRET, DROPBOX_REFRESH_TOKEN)");
        }
        if (e instanceof com.dropbox.core.oauth.DbxOAuthException o) {
            return new DropboxApiException(401, "oauth/" + o.getDbxOAuthError().getError() + "/",
                    what + ": the token refresh failed: " + o.getDbxOAuthError().getError());
        }
        if (e instanceof DbxApiException api) {
            JsonNode error = errorJson(api.getMessage());
            String captured = HostRewritingRequestor.lastErrorSummary();
            String summary = captured != null ? captured : summary(error);
            if (summary.contains("too_many_write_operations") || api.getMessage().contains("too_many_write_operations")) {
                return new TransientFailure(what + ": Dropbox answered " + summary, 429, null, e);
            }
            JsonNode correct = error == null ? null : error.findValue("correct_offset");
            if (summary.contains("incorrect_offset") && correct != null && correct.canConvertToLong()) {
                return new IncorrectOffsetException(correct.asLong());
            }
            return new DropboxApiException(409, summary, what + ": Dropbox error " + summary);
        }
        if (e instanceof BadRequestException) {
            return new DropboxApiException(400, "bad_request/", what + ": Dropbox refused the request: " + e.getMessage());
        }
        if (e instanceof BadResponseCodeException b && b.getStatusCode() >= 500) {
            return new TransientFailure(what + ": Dropbox answered HTTP " + b.getStatusCode(), b.getStatusCode(), null, e);
        }
        return new DropboxApiException(502, "unexpected/", what + ": unexpected answer from Dropbox ("
                + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }

    /** The route error as JSON: the SDK's message is "Exception in <route>: <error as JSON>". */
    static JsonNode errorJson(String message) {
        if (message == null) {
            return null;
        }
        int start = message.indexOf('{');
        int end = message.lastIndexOf('}');
        if (start < 0 || end < start) {
            return null;
        }
        try {
            return JSON.readTree(message.substring(start, end + 1));
        } catch (IOException notJson) {
            return null;
        }
    }

    /** Dropbox's error_summary form of a union value: the chain of .tag values, e.g. "path/conflict/file/". */
    static String summary(JsonNode error) {
        StringBuilder sb = new StringBuilder();
        JsonNode node = error;
        while (node != null && node.isObject() && node.has(".tag")) {
            String tag = node.get(".tag").asText();
            sb.append(tag).append('/');
            // a union member is under its tag; a struct member (UploadWriteFailed) carries it as "reason"
            node = node.has(tag) ? node.get(tag) : node.get("reason");
        }
        if (node != null && node.isTextual()) {
            sb.append(node.asText()).append('/'); // a void member written as a bare string
        }
        return sb.length() == 0 ? "unknown/" : sb.toString();
    }
}
