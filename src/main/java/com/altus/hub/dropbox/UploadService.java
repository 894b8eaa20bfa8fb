package com.altus.hub.dropbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.platform.rest.Problem;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Stores one whole file (POST /api/dropbox_upload, POST /api/ingest_upload): the spooled body
 * goes to the store (as a session above 150 MB), the answer is checked against the
 * content_hash computed while the body streamed in, and a file_assets row is upserted.
 * Also runs a request under its Idempotency-Key.
 */
@Service
public class UploadService {
    private static final Logger log = LoggerFactory.getLogger(UploadService.class);

    private final DropboxStore store;
    private final FolderMap folders;
    private final UploadRepository repo;
    private final IdempotencyService idempotency;
    private final ObjectMapper json;
    private final Path spoolDir;

    public UploadService(DropboxStore store, FolderMap folders, UploadRepository repo, IdempotencyService idempotency,
                         ObjectMapper json, HubSettings settings) {
        this.store = store;
        this.folders = folders;
        this.repo = repo;
        this.idempotency = idempotency;
        this.json = json;
        this.spoolDir = settings.dataDir.resolve("tmp").resolve("uploads");
        removeStaleSpools();
    }

    /** Spool files outlive their request only when the hub died mid-request; a day later they are garbage. */
    private void removeStaleSpools() {
        if (!java.nio.file.Files.isDirectory(spoolDir)) {
            return;
        }
        java.time.Instant cutoff = java.time.Instant.now().minus(java.time.Duration.ofDays(1));
        try (var files = java.nio.file.Files.list(spoolDir)) {
            for (Path p : files.toList()) {
                if (java.nio.file.Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            log.warn("could not clean the upload spool {}: {}", spoolDir, e.toString());
        }
    }

    public Path spoolDir() {
        return spoolDir;
    }

    public FolderMap folders() {
        return folders;
    }

    /** An answer: status, JSON body, and whether it was replayed from an earlier request with the same key. */
    public record Answer(int status, String body, boolean replayed) {
    }

    /** Stores the body's file for a canonical upload and answers {ok, path, rev, size, content_hash, file_asset_id}. */
    public Map<String, Object> store(UploadRequests.Canonical c, UploadBody body) throws IOException {
        if (body.binaryField() == null) {
            throw Problem.badRequest("file_base64", "'file_base64' is required");
        }
        StoredFile f = store.upload(c.path(), body.file(), body.size(), body.contentHash());
        verify(f, body.size(), body.contentHash());
        UUID id = repo.upsertAsset(new UploadRepository.Asset(c.source(), c.entityType(), c.meta(), c.actorId(),
                c.originalFilename(), f));
        if (!f.path().equals(c.path())) {
            log.info("{} was taken by other content; stored as {}", c.path(), f.path());
        }
        return answer(f, id);
    }

    static Map<String, Object> answer(StoredFile f, UUID assetId) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", true);
        out.put("path", f.path());
        out.put("rev", f.rev());
        out.put("size", f.size());
        out.put("content_hash", f.contentHash());
        out.put("file_asset_id", assetId.toString());
        return out;
    }

    /** A stored file that is not what the hub sent is a failure, never a success. */
    static void verify(StoredFile f, long size, String contentHash) {
        if (f.contentHash() == null || !f.contentHash().equals(contentHash) || f.size() != size) {
            throw new DropboxApiException(502, "content_hash_mismatch/", "the stored file " + f.path() + " has content_hash "
                    + f.contentHash() + " and " + f.size() + " bytes, but the hub sent " + contentHash + " and " + size + " bytes");
        }
    }

    /**
     * Runs {@code work} under the Idempotency-Key (null: no key). A success is stored and
     * replayed for the same body; any failure stores nothing, so the same key can be retried.
     * Validation must happen before this call: a 400 never reaches the key table.
     */
    public Answer idempotent(String key, String endpoint, String requestHash, Callable<Map<String, Object>> work)
            throws Exception {
        if (key == null) {
            return new Answer(200, json.writeValueAsString(work.call()), false);
        }
        Optional<IdempotencyService.Replay> replay = idempotency.begin(key, endpoint, requestHash);
        if (replay.isPresent()) {
            return new Answer(replay.get().status(), replay.get().body(), true);
        }
        boolean done = false;
        try {
            String body = json.writeValueAsString(work.call());
            idempotency.complete(key, 200, body);
            done = true;
            return new Answer(200, body, false);
        } finally {
            if (!done) {
                idempotency.release(key);
            }
        }
    }
}
