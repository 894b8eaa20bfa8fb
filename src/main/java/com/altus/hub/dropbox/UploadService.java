package com.altus.hub.dropbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.platform.rest.Problem;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.util.unit.DataSize;

/**
 * Whole-file uploads (POST /api/dropbox_upload, POST /api/ingest_upload) and the steps every
 * upload route shares: reading a JSON body with limits into an {@link UploadBody} (file to the
 * spool), validating it into a canonical upload, storing the file (as a session above 150 MB),
 * checking the store's content_hash against the one computed while the body streamed in,
 * upserting the file_assets row, answering, and discarding the spool.
 */
@Service
public class UploadService {
    private static final Logger log = LoggerFactory.getLogger(UploadService.class);

    private final DropboxStore store;
    private final FolderMap folders;
    private final UploadRepository repo;
    private final Path spoolDir;
    private final UploadBody.Limits limits;
    private final JsonFactory parsers;
    private final ObjectMapper json;

    public UploadService(DropboxStore store, FolderMap folders, UploadRepository repo, HubSettings settings, ObjectMapper json,
                         @Value("${hub.upload.max-json-depth:8}") int maxDepth,
                         @Value("${hub.upload.max-json-members:256}") int maxMembers,
                         @Value("${hub.upload.max-metadata-bytes:64KB}") DataSize maxMetadata,
                         @Value("${hub.upload.max-number-length:64}") int maxNumberLength) {
        this.store = store;
        this.folders = folders;
        this.repo = repo;
        this.spoolDir = settings.dataDir.resolve("tmp").resolve("uploads");
        this.limits = new UploadBody.Limits(maxDepth, maxMembers, (int) Math.min(Integer.MAX_VALUE, maxMetadata.toBytes()),
                maxNumberLength);
        this.parsers = limits.factory();
        this.json = json;
        removeStaleSpools();
    }

    /** Spool files outlive their request only when the hub died mid-request; a day later they are garbage. */
    private void removeStaleSpools() {
        if (!Files.isDirectory(spoolDir)) {
            return;
        }
        Instant cutoff = Instant.now().minus(Duration.ofDays(1));
        try (var files = Files.list(spoolDir)) {
            for (Path p : files.toList()) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(p);
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

    /**
     * Step "parse body": reads a JSON body as it arrives, the member {@code binaryField} (a
     * dotted path, or empty for none) decoded into a spool file, the rest within the limits.
     * Bodies with a Content-Encoding are refused (415): they would decode to any size.
     */
    public UploadBody readJson(InputStream body, String contentEncoding, String binaryField, boolean hashed)
            throws IOException {
        requireIdentity(contentEncoding);
        Set<String> binary = binaryField == null || binaryField.isEmpty() ? Set.of() : Set.of(binaryField);
        return UploadBody.json(parsers, limits, body == null ? InputStream.nullInputStream() : body, binary, spoolDir,
                hashed);
    }

    static void requireIdentity(String contentEncoding) {
        if (contentEncoding != null && !contentEncoding.isBlank() && !"identity".equalsIgnoreCase(contentEncoding.trim())) {
            throw new Problem(415, "Content-Encoding " + contentEncoding.trim() + " is not accepted; send the body as is")
                    .with("field", "Content-Encoding");
        }
    }

    /** Step "validate" of POST /api/dropbox_upload: where the file goes (400s name the field). */
    public UploadRequests.Canonical validate(UploadBody body) {
        UploadRequests.Canonical c = UploadRequests.dropboxUpload(folders, body.fields());
        if (body.binaryField() == null) {
            throw Problem.badRequest("file_base64", "'file_base64' is required");
        }
        return c;
    }

    /** Step "store": the body's file for a canonical upload -> {ok, path, rev, size, content_hash, file_asset_id}. */
    public Map<String, Object> store(UploadRequests.Canonical c, UploadBody body) throws IOException {
        StoredFile f = store.upload(c.path(), body.file(), body.size(), body.contentHash());
        verify(f, body.size(), body.contentHash());
        UUID id = repo.upsertAsset(new UploadRepository.Asset(c.source(), c.entityType(), c.meta(), c.actorId(),
                c.originalFilename(), f));
        if (!f.path().equals(c.path())) {
            log.info("{} was taken by other content; stored as {}", c.path(), f.path());
        }
        return answer(f, id);
    }

    /**
     * Last step of every upload route: the answer (an {@link UploadAnswer}, or a result map
     * answered 200) as the HTTP response; the request's headers are not echoed.
     */
    public void respond(Exchange ex) throws JsonProcessingException {
        Object result = ex.getMessage().getBody();
        UploadAnswer a;
        if (result instanceof UploadAnswer answer) {
            a = answer;
        } else if (result instanceof Map<?, ?> map) {
            a = new UploadAnswer(200, json.writeValueAsString(map), false);
        } else {
            throw new IllegalStateException("an upload route ended without an answer: " + result);
        }
        ex.getMessage().removeHeaders("*");
        ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, a.status());
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (a.replayed()) {
            ex.getMessage().setHeader("Idempotent-Replayed", "true");
        }
        ex.getMessage().setBody(a.body());
    }

    /** Final step of every upload route (success or not): the request's spool file goes. */
    public void discard(UploadBody body) throws IOException {
        if (body != null) {
            body.close();
        }
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
}
