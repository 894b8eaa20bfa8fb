package com.altus.hub.dropbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.altus.hub.platform.rest.Problem;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.springframework.stereotype.Service;

/**
 * Resumable uploads (POST /api/upload_session/start, append, finish) on top of the store's
 * upload sessions. All state is in {@code upload_sessions}, committed with each append, so a
 * restarted hub (or another instance) continues where the last append ended. Client chunks
 * of any size are re-cut: Dropbox gets whole 4 MiB blocks, the remainder (the tail, less than
 * 4 MiB) waits in PostgreSQL for the next append or the finish. The content_hash is built
 * from the saved block digests, so finish checks the stored file without re-reading it.
 */
@Service
public class UploadSessionService {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UploadSessionService.class);
    private final DropboxStore store;
    private final FolderMap folders;
    private final UploadRepository repo;
    private final ObjectMapper json;

    public UploadSessionService(DropboxStore store, FolderMap folders, UploadRepository repo, ObjectMapper json) {
        this.store = store;
        this.folders = folders;
        this.repo = repo;
        this.json = json;
    }

    /** Validated start request (the first chunk, if any, is in the body's spool). */
    public record Start(String entityType, FolderMap.Meta meta, String filename, String path) {
    }

    /** Reads {meta, entity_type or category, filename}; 400s name the field. */
    public Start parseStart(ObjectNode body) {
        String entityType = UploadRequests.text(body, "", "entity_type", false);
        String category = UploadRequests.text(body, "", "category", false);
        if (entityType != null && category != null) {
            throw Problem.badRequest("category", "send either 'entity_type' or 'category', not both");
        }
        if (entityType == null && category == null) {
            throw Problem.badRequest("entity_type", "'entity_type' (or 'category') is required");
        }
        FolderMap.Target target = entityType != null ? FolderMap.entityType(entityType, "entity_type")
                : FolderMap.category(category, "category");
        FolderMap.Meta meta = UploadRequests.meta(UploadRequests.object(body, "meta", true), "meta.");
        String filename = UploadRequests.text(body, "", "filename", true);
        String path = folders.filePath(target, meta, filename, "filename");
        return new Start(entityType != null ? entityType : category, meta, filename, path);
    }

    public Map<String, Object> start(Start s, UploadBody firstChunk) throws IOException {
        String storeSession = store.startSession();
        UUID id = UUID.randomUUID();
        repo.insertSession(id, storeSession, s.path(), s.entityType(), "session", json.writeValueAsString(s.meta()),
                s.filename());
        long offset = 0;
        if (firstChunk != null && firstChunk.binaryField() != null && firstChunk.size() > 0) {
            offset = append(id, 0, firstChunk);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", true);
        out.put("session_id", id.toString());
        out.put("offset", offset);
        out.put("dest_path", s.path());
        return out;
    }

    /** Appends the body's bytes at {@code offset} (which must be the session's offset) and answers the new offset. */
    public long append(UUID id, long offset, UploadBody chunk) {
        return repo.withLockedSession(id, row -> {
            if (!"open".equals(row.status())) {
                throw new Problem(409, "upload session " + id + " is finished").with("session_id", id.toString());
            }
            if (offset != row.clientOffset()) {
                throw new Problem(409, "incorrect offset " + offset + ": the session is at offset " + row.clientOffset())
                        .with("correct_offset", row.clientOffset());
            }
            long length = chunk.size();
            if (length == 0) {
                return offset;
            }
            byte[] tail = row.tail();
            long total = tail.length + length;
            long forward = total / ContentHasher.BLOCK * ContentHasher.BLOCK;
            ContentHasher hasher = ContentHasher.resume(row.blockDigests());
            ByteArrayOutputStream newTail = new ByteArrayOutputStream((int) (total - forward));
            try (InputStream in = DropboxStore.Chunk.concat(tail, chunk.file(), 0, length).open()) {
                byte[] buf = new byte[1 << 16];
                long pos = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    hasher.update(buf, 0, n);
                    long keepFrom = Math.max(0, forward - pos);
                    if (keepFrom < n) {
                        newTail.write(buf, (int) keepFrom, (int) (n - keepFrom));
                    }
                    pos += n;
                }
            }
            if (forward > 0) {
                store.append(row.storeSessionId(), row.storeOffset(),
                        DropboxStore.Chunk.concat(tail, chunk.file(), 0, forward - tail.length), forward);
            }
            repo.advanceSession(id, offset, offset + length, row.storeOffset() + forward, hasher.blockDigests(),
                    newTail.toByteArray());
            return offset + length;
        }).orElseThrow(() -> Problem.notFound("no upload session " + id).with("field", "session_id"));
    }

    /**
     * Appends a raw request body at {@code offset} while it arrives: whole 4 MiB blocks are piped
     * to the store's append as soon as they are complete (client, hub and Dropbox work at the same
     * time instead of store-and-forward), hashed once, and copied to a spool file. Only when the
     * piped append fails (network, 429, 5xx, a lost answer) is the spool sent again, through the
     * retrying {@link DropboxStore#append}. The last partial block becomes the session's tail.
     */
    public long appendStreaming(UUID id, long offset, InputStream in, java.nio.file.Path spoolDir) {
        return repo.withLockedSession(id, row -> {
            if (!"open".equals(row.status())) {
                throw new Problem(409, "upload session " + id + " is finished").with("session_id", id.toString());
            }
            if (offset != row.clientOffset()) {
                throw new Problem(409, "incorrect offset " + offset + ": the session is at offset " + row.clientOffset())
                        .with("correct_offset", row.clientOffset());
            }
            byte[] tail = row.tail();
            byte[] block = new byte[ContentHasher.BLOCK];
            System.arraycopy(tail, 0, block, 0, tail.length);
            int fill = tail.length;
            ContentHasher hasher = ContentHasher.resume(row.blockDigests());
            java.nio.file.Files.createDirectories(spoolDir);
            java.nio.file.Path spool = java.nio.file.Files.createTempFile(spoolDir, "append-", ".bin");
            try {
                DropboxStore.Appender appender = null;
                Exception pipeFailure = null;
                long received = 0;
                long forwarded = 0;
                try (java.io.OutputStream copy = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(spool), 1 << 16)) {
                    int n;
                    while ((n = in.read(block, fill, block.length - fill)) >= 0) {
                        received += n;
                        fill += n;
                        if (fill < block.length) {
                            continue;
                        }
                        hasher.update(block, 0, block.length);
                        copy.write(block);
                        if (pipeFailure == null) {
                            try {
                                if (appender == null) {
                                    appender = store.openAppend(row.storeSessionId(), row.storeOffset());
                                }
                                appender.body().write(block);
                            } catch (IOException | RuntimeException e) {
                                pipeFailure = e;
                                if (appender != null) {
                                    appender.abort();
                                }
                            }
                        }
                        forwarded += block.length;
                        fill = 0;
                    }
                } catch (IOException | RuntimeException clientSide) {
                    if (appender != null && pipeFailure == null) {
                        appender.abort(); // the client's body broke off: Dropbox must not keep half of it
                    }
                    throw clientSide;
                }
                if (received == 0) {
                    return offset;
                }
                if (forwarded > 0 && pipeFailure == null) {
                    try {
                        appender.finish();
                    } catch (IOException | RuntimeException e) {
                        pipeFailure = e;
                    }
                }
                if (forwarded > 0 && pipeFailure != null) {
                    log.info("piped append of session {} at {} failed ({}); sending it again", id, row.storeOffset(),
                            pipeFailure.getMessage());
                    store.append(row.storeSessionId(), row.storeOffset(), DropboxStore.Chunk.of(spool, 0, forwarded), forwarded);
                }
                repo.advanceSession(id, offset, offset + received, row.storeOffset() + forwarded, hasher.blockDigests(),
                        java.util.Arrays.copyOf(block, fill));
                return offset + received;
            } finally {
                java.nio.file.Files.deleteIfExists(spool);
            }
        }).orElseThrow(() -> Problem.notFound("no upload session " + id).with("field", "session_id"));
    }

    /** Commits the session to its destination; a finished session answers its result again. */
    public Map<String, Object> finish(UUID id, long offset) {
        return repo.withLockedSession(id, row -> {
            if ("finished".equals(row.status())) {
                return json.readValue(row.resultJson(), new TypeReference<Map<String, Object>>() { });
            }
            if (offset != row.clientOffset()) {
                throw new Problem(409, "incorrect offset " + offset + ": the session is at offset " + row.clientOffset())
                        .with("correct_offset", row.clientOffset());
            }
            ContentHasher hasher = ContentHasher.resume(row.blockDigests());
            byte[] tail = row.tail();
            hasher.update(tail, 0, tail.length);
            String hash = hasher.finish();
            StoredFile f = store.finish(row.storeSessionId(), row.storeOffset(), DropboxStore.Chunk.of(tail), tail.length,
                    row.destPath(), hash);
            UploadService.verify(f, row.clientOffset(), hash);
            FolderMap.Meta meta = json.readValue(row.metaJson(), FolderMap.Meta.class);
            UUID assetId = repo.upsertAsset(new UploadRepository.Asset(row.source(), row.entityType(), meta, null,
                    row.originalFilename(), f));
            Map<String, Object> out = UploadService.answer(f, assetId);
            repo.finishSession(id, json.writeValueAsString(out));
            return out;
        }).orElseThrow(() -> Problem.notFound("no upload session " + id).with("field", "session_id"));
    }
}
