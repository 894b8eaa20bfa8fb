package com.altus.hub.dropbox;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.platform.rest.Problem;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * Resumable uploads (POST /api/upload_session/start, append, finish) on top of the store's
 * upload sessions. All state is in {@code upload_sessions}, committed with each append, so a
 * restarted hub (or another instance) continues where the last append ended. Client chunks
 * of any size are re-cut: Dropbox gets whole 4 MiB blocks, the remainder (the tail, less than
 * 4 MiB) waits in PostgreSQL for the next append or the finish. The content_hash is built
 * from the saved block digests, so finish checks the stored file without re-reading it.
 *
 * <p>No database connection or row lock is held while a body arrives or Dropbox works: a
 * request claims its session with one short UPDATE ({@code claimed_by}, {@code claimed_until};
 * a second request for the same session gets 409), the claims of live requests are renewed
 * every quarter of {@code hub.upload.claim-ttl} (so a claim of a hub that died frees itself
 * within that time), and the append commits together with releasing the claim.
 *
 * <p>Sessions expire {@code hub.upload.session-ttl} (PT24H) after their start: an append or
 * finish after that answers 404 and frees the session's parts and row; {@link #sweep} (the
 * route upload-session-sweep) does the same for sessions nobody comes back to.
 */
@Service
public class UploadSessionService {
    private static final Logger log = LoggerFactory.getLogger(UploadSessionService.class);
    private final DropboxStore store;
    private final FolderMap folders;
    private final UploadRepository repo;
    private final ObjectMapper json;
    private final Path spoolDir;
    private final Duration sessionTtl;
    private final Duration claimTtl;
    private final Set<UUID> liveClaims = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService renewer;

    public UploadSessionService(DropboxStore store, FolderMap folders, UploadRepository repo, ObjectMapper json,
                                HubSettings settings,
                                @Value("${hub.upload.session-ttl:PT24H}") Duration sessionTtl,
                                @Value("${hub.upload.claim-ttl:PT1M}") Duration claimTtl) {
        if (sessionTtl.isNegative() || sessionTtl.isZero() || claimTtl.toMillis() < 1000) {
            throw new IllegalArgumentException("hub.upload.session-ttl must be positive and hub.upload.claim-ttl at least 1 s");
        }
        this.store = store;
        this.folders = folders;
        this.repo = repo;
        this.json = json;
        this.spoolDir = settings.dataDir.resolve("tmp").resolve("uploads");
        this.sessionTtl = sessionTtl;
        this.claimTtl = claimTtl;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "upload-session-claims");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(250, claimTtl.toMillis() / 4);
        renewer.scheduleWithFixedDelay(this::renewClaims, every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        renewer.shutdownNow();
    }

    private void renewClaims() {
        try {
            repo.renewClaims(List.copyOf(liveClaims), claimTtl);
        } catch (RuntimeException e) {
            log.warn("could not renew {} upload session claims: {}", liveClaims.size(), e.toString());
        }
    }

    public Duration sessionTtl() {
        return sessionTtl;
    }

    /** Validated start request (the first chunk, if any, is in the body's spool). */
    public record Start(String entityType, FolderMap.Meta meta, String filename, String path) {
    }

    /** Which session and at which offset an append or finish means to work. */
    public record Target(UUID sessionId, long offset) {
    }

    /** Step "validate" of start: {meta, entity_type or category, filename}; 400s name the field. */
    public Start parseStart(UploadBody body) {
        return parseStart(body.fields());
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
        ObjectNode metaNode = UploadRequests.object(body, "meta", true);
        FolderMap.Meta meta = UploadRequests.meta(metaNode, "meta.");
        String filename = UploadRequests.text(body, "", "filename", true);
        String path = UploadRequests.filePath(folders, entityType, target, metaNode, meta, filename, "filename");
        return new Start(entityType != null ? entityType : category, meta, filename, path);
    }

    /** Step "validate" of a raw append: ?session_id=&offset= (400s name the parameter). */
    public Target queryTarget(String sessionId, String offset) {
        return new Target(UploadRequests.sessionId(sessionId), UploadRequests.offset(offset, "offset"));
    }

    /** Step "validate" of a JSON append or finish: {session_id, offset}. */
    public Target bodyTarget(UploadBody body) {
        return new Target(UploadRequests.sessionId(UploadRequests.text(body.fields(), "", "session_id", true)),
                UploadRequests.offset(body.fields(), "offset"));
    }

    /**
     * Opens a session (and appends its first chunk). A start that fails leaves nothing behind:
     * no row, no store part, no spool.
     */
    public Map<String, Object> start(Start s, UploadBody firstChunk) throws IOException {
        String storeSession = store.startSession();
        UUID id = UUID.randomUUID();
        UUID claim = UUID.randomUUID();
        boolean recorded = false;
        boolean done = false;
        liveClaims.add(claim);
        try {
            String metaJson = json.writeValueAsString(s.meta());
            repo.insertSession(id, storeSession, s.path(), s.entityType(), "session", metaJson, s.filename(), claim, claimTtl);
            recorded = true;
            long offset = 0;
            if (firstChunk != null && firstChunk.binaryField() != null && firstChunk.size() > 0) {
                UploadRepository.SessionRow row = new UploadRepository.SessionRow(id, storeSession, s.path(), s.entityType(),
                        "session", metaJson, s.filename(), 0, 0, new byte[0], new byte[0], "open", null, null);
                offset = applyChunk(row, claim, firstChunk);
            } else {
                repo.release(id, claim);
            }
            done = true;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ok", true);
            out.put("session_id", id.toString());
            out.put("offset", offset);
            out.put("dest_path", s.path());
            return out;
        } finally {
            liveClaims.remove(claim);
            if (!done) {
                abandonStart(id, claim, storeSession, recorded);
            }
        }
    }

    private void abandonStart(UUID id, UUID claim, String storeSession, boolean recorded) {
        try {
            if (recorded) {
                repo.deleteSession(id, claim);
            }
            store.discardSession(storeSession);
        } catch (IOException | RuntimeException e) {
            log.warn("a failed start left upload session {} (store session {}) for the sweep: {}", id, storeSession, e.toString());
        }
    }

    /** Appends a JSON chunk (decoded into the body's spool) at the target offset; answers {ok, offset}. */
    public Map<String, Object> append(Target t, UploadBody chunk) throws IOException {
        if (chunk.binaryField() == null) {
            throw Problem.badRequest("chunk_base64", "'chunk_base64' is required");
        }
        Held h = hold(t.sessionId(), false);
        try {
            checkOffset(h.row, t.offset());
            if (chunk.size() == 0) {
                return offsetAnswer(t.offset());
            }
            long offset = applyChunk(h.row, h.claim, chunk);
            h.committed = true;
            return offsetAnswer(offset);
        } finally {
            letGo(h);
        }
    }

    /** Sends whole blocks of tail + chunk to the store, keeps the rest as the new tail, commits; answers the new offset. */
    private long applyChunk(UploadRepository.SessionRow row, UUID claim, UploadBody chunk) throws IOException {
        long offset = row.clientOffset();
        long length = chunk.size();
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
        commit(row, claim, offset + length, row.storeOffset() + forward, hasher.blockDigests(), newTail.toByteArray());
        return offset + length;
    }

    /**
     * Appends a raw request body at the target offset while it arrives: the session is claimed
     * first (no connection is held afterwards); every byte is hashed once and written to a spool
     * file under the data directory (the session's tail first, then the body), and the bytes that
     * will make whole 4 MiB blocks are piped to the store's append as they arrive (client, hub and
     * Dropbox work at the same time instead of store-and-forward). With a Content-Length the hub
     * knows from the start how far the whole blocks go and pipes straight from its 64 KiB read
     * buffer; without one it pipes each block from the spool once the block is complete. No
     * request holds a 4 MiB buffer, whatever its speed. Only when the piped append fails
     * (network, 429, 5xx, a lost answer) is the spool sent again, through the retrying
     * {@link DropboxStore#append}. The last partial block becomes the session's tail.
     */
    public Map<String, Object> appendRaw(Target t, InputStream in, Long contentLength) throws IOException {
        Held h = hold(t.sessionId(), false);
        try {
            UploadRepository.SessionRow row = h.row;
            checkOffset(row, t.offset());
            if (in == null || (contentLength != null && contentLength == 0)) {
                return offsetAnswer(t.offset());
            }
            Files.createDirectories(spoolDir);
            Path spool = Files.createTempFile(spoolDir, "append-", ".bin");
            try {
                RawAppend raw = new RawAppend(row, spool, contentLength);
                long received = raw.receive(in);
                if (received == 0) {
                    return offsetAnswer(t.offset());
                }
                long forward = raw.complete();
                commit(row, h.claim, t.offset() + received, row.storeOffset() + forward, raw.hasher.blockDigests(),
                        raw.newTail(forward));
                h.committed = true;
                return offsetAnswer(t.offset() + received);
            } finally {
                Files.deleteIfExists(spool);
            }
        } finally {
            letGo(h);
        }
    }

    /** One raw append in progress: positions count the session's tail and then the body. */
    private final class RawAppend {
        private final UploadRepository.SessionRow row;
        private final Path spool;
        private final long pipeLimit;
        private final ContentHasher hasher;
        private final byte[] buf = new byte[1 << 16];
        private OutputStream copy;
        private DropboxStore.Appender appender;
        private Exception pipeFailure;
        private long seen;
        private long piped;

        RawAppend(UploadRepository.SessionRow row, Path spool, Long contentLength) {
            this.row = row;
            this.spool = spool;
            this.hasher = ContentHasher.resume(row.blockDigests());
            long total = contentLength == null || contentLength < 0 ? -1 : row.tail().length + contentLength;
            this.pipeLimit = total < 0 ? -1 : total / ContentHasher.BLOCK * ContentHasher.BLOCK;
        }

        /** Reads the body to its end; answers the body's length. */
        long receive(InputStream in) throws IOException {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(spool), 1 << 16)) {
                copy = out;
                byte[] tail = row.tail();
                take(tail, tail.length);
                long received = 0;
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (n > 0) {
                        received += n;
                        take(buf, n);
                    }
                }
                return received;
            } catch (IOException | RuntimeException clientSide) {
                if (appender != null && pipeFailure == null) {
                    appender.abort(); // the client's body broke off: Dropbox must not keep half of it
                }
                throw clientSide;
            }
        }

        private void take(byte[] bytes, int n) throws IOException {
            long start = seen;
            copy.write(bytes, 0, n);
            hasher.update(bytes, 0, n);
            seen += n;
            long allowed = pipeLimit >= 0 ? Math.min(pipeLimit, seen) : seen / ContentHasher.BLOCK * ContentHasher.BLOCK;
            if (allowed <= piped || pipeFailure != null) {
                piped = Math.max(piped, allowed);
                return;
            }
            try {
                if (appender == null) {
                    appender = store.openAppend(row.storeSessionId(), row.storeOffset());
                }
                if (piped >= start) {
                    appender.body().write(bytes, (int) (piped - start), (int) (allowed - piped));
                } else {
                    copy.flush(); // the block began in earlier reads: send it from the spool
                    try (InputStream back = FileSlice.open(spool, piped, allowed - piped)) {
                        back.transferTo(appender.body());
                    }
                }
            } catch (IOException | RuntimeException e) {
                pipeFailure = e;
                if (appender != null) {
                    appender.abort();
                }
            }
            piped = allowed;
        }

        /** Ends the store's append (resending from the spool if the pipe failed); answers the bytes forwarded. */
        long complete() throws IOException {
            long forward = seen / ContentHasher.BLOCK * ContentHasher.BLOCK;
            if (forward > 0 && pipeFailure == null && (appender == null || piped != forward)) {
                pipeFailure = new IOException("piped " + piped + " of " + forward + " bytes");
                if (appender != null) {
                    appender.abort();
                }
            }
            if (forward > 0 && pipeFailure == null) {
                try {
                    appender.finish();
                } catch (IOException | RuntimeException e) {
                    pipeFailure = e;
                }
            }
            if (forward > 0 && pipeFailure != null) {
                log.info("piped append of session {} at {} failed ({}); sending it again", row.id(), row.storeOffset(),
                        pipeFailure.getMessage());
                store.append(row.storeSessionId(), row.storeOffset(), DropboxStore.Chunk.of(spool, 0, forward), forward);
            }
            return forward;
        }

        /** The bytes after the last whole block: the session's new tail (less than 4 MiB). */
        byte[] newTail(long forward) throws IOException {
            try (InputStream in = FileSlice.open(spool, forward, seen - forward)) {
                return in.readAllBytes();
            }
        }
    }

    /**
     * Commits the session to its destination; a finished session answers its result again.
     * Crash-safe: the content_hash being committed is recorded before the store commits, so a
     * retry after a crash between the store's commit and the row's finds the committed file
     * (dest_path or its autorenamed names, by content_hash) instead of failing.
     */
    public Map<String, Object> finish(Target t) throws IOException {
        Held h = hold(t.sessionId(), true);
        if (h.finishedResult != null) {
            return json.readValue(h.finishedResult, new TypeReference<Map<String, Object>>() { });
        }
        try {
            UploadRepository.SessionRow row = h.row;
            checkOffset(row, t.offset());
            ContentHasher hasher = ContentHasher.resume(row.blockDigests());
            byte[] tail = row.tail();
            hasher.update(tail, 0, tail.length);
            String hash = hasher.finish();
            StoredFile f = null;
            if (hash.equals(row.finishHash())) {
                f = store.findStored(row.destPath(), hash).orElse(null);
                if (f != null) {
                    log.info("upload session {}: an earlier finish had committed {}; recording it", row.id(), f.path());
                    store.discardSession(row.storeSessionId());
                }
            }
            if (f == null) {
                repo.markFinishing(row.id(), h.claim, hash);
                f = store.finish(row.storeSessionId(), row.storeOffset(), DropboxStore.Chunk.of(tail), tail.length,
                        row.destPath(), hash);
            }
            UploadService.verify(f, row.clientOffset(), hash);
            FolderMap.Meta meta = json.readValue(row.metaJson(), FolderMap.Meta.class);
            StoredFile stored = f;
            UUID assetId = repo.finishSession(row.id(), h.claim, new UploadRepository.Asset(row.source(), row.entityType(),
                    meta, null, row.originalFilename(), stored), id -> write(UploadService.answer(stored, id)));
            h.committed = true;
            return UploadService.answer(stored, assetId);
        } finally {
            letGo(h);
        }
    }

    private String write(Map<String, Object> answer) {
        try {
            return json.writeValueAsString(answer);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Deletes expired sessions (older than hub.upload.session-ttl and held by no live request):
     * first the store's parts, then the rows; and store parts that no row knows. Dropbox's own
     * sessions are not touched: they expire there after 7 days. Answers the sessions removed.
     */
    public int sweep() {
        int removed = 0;
        List<UploadRepository.Expired> batch;
        do {
            batch = repo.expiredSessions(sessionTtl, 500);
            List<UUID> freed = new ArrayList<>();
            for (UploadRepository.Expired e : batch) {
                try {
                    store.discardSession(e.storeSessionId());
                    freed.add(e.id());
                } catch (IOException | RuntimeException ex) {
                    log.warn("could not free the parts of expired upload session {}: {}", e.id(), ex.toString());
                }
            }
            removed += repo.deleteExpired(freed, sessionTtl);
            if (freed.isEmpty()) {
                break;
            }
        } while (batch.size() == 500);
        try {
            int orphans = store.discardOrphanSessions(Instant.now().minus(sessionTtl), repo::storeSessionKnown);
            if (orphans > 0) {
                log.info("removed {} store session parts that no upload session knew", orphans);
            }
        } catch (IOException e) {
            log.warn("could not look for orphaned store session parts: {}", e.toString());
        }
        if (removed > 0) {
            log.info("removed {} expired upload sessions (older than {})", removed, sessionTtl);
        }
        return removed;
    }

    // ---- claims ----

    /** A claimed session (or the stored result of a finished one, for finish). */
    private static final class Held {
        final UploadRepository.SessionRow row;
        final UUID claim;
        final String finishedResult;
        boolean committed;

        Held(UploadRepository.SessionRow row, UUID claim, String finishedResult) {
            this.row = row;
            this.claim = claim;
            this.finishedResult = finishedResult;
        }
    }

    private Held hold(UUID id, boolean finishedIsAnswer) {
        UUID claim = UUID.randomUUID();
        liveClaims.add(claim); // renewed from the start
        UploadRepository.Claim c;
        try {
            c = repo.claim(id, claim, claimTtl, sessionTtl);
        } catch (RuntimeException e) {
            liveClaims.remove(claim);
            throw e;
        }
        if (c.row() != null) {
            return new Held(c.row(), claim, null);
        }
        liveClaims.remove(claim);
        switch (c.refusal()) {
            case FINISHED -> {
                if (finishedIsAnswer) {
                    return new Held(null, null, c.resultJson());
                }
                throw new Problem(409, "upload session " + id + " is finished").with("session_id", id.toString());
            }
            case EXPIRED -> {
                expire(id, null);
                throw expired(id);
            }
            case BUSY -> throw new UploadRepository.SessionBusyException(id);
            default -> throw Problem.notFound("no upload session " + id).with("field", "session_id");
        }
    }

    /** Releases an uncommitted claim; a committed one was released with the commit. */
    private void letGo(Held h) {
        if (h.claim == null) {
            return;
        }
        liveClaims.remove(h.claim);
        if (!h.committed) {
            repo.release(h.row.id(), h.claim);
        }
    }

    private void commit(UploadRepository.SessionRow row, UUID claim, long clientOffset, long storeOffset, byte[] digests,
                        byte[] tail) {
        if (repo.advanceSession(row.id(), claim, row.clientOffset(), clientOffset, storeOffset, digests, tail, sessionTtl)) {
            return;
        }
        // the claim expired unrenewed, or the session did meanwhile: nothing was committed yet
        UploadRepository.Claim now = repo.claim(row.id(), claim, claimTtl, sessionTtl);
        if (now.row() != null) {
            if (now.row().clientOffset() == row.clientOffset()
                    && repo.advanceSession(row.id(), claim, row.clientOffset(), clientOffset, storeOffset, digests, tail, sessionTtl)) {
                return; // nobody else came in between: the append stands
            }
            repo.release(row.id(), claim);
            throw new UploadRepository.SessionBusyException(row.id());
        }
        if (now.refusal() == UploadRepository.Refusal.EXPIRED) {
            expire(row.id(), claim);
            throw expired(row.id());
        }
        if (now.refusal() == UploadRepository.Refusal.MISSING) {
            throw expired(row.id());
        }
        throw new UploadRepository.SessionBusyException(row.id());
    }

    private static void checkOffset(UploadRepository.SessionRow row, long offset) {
        if (offset != row.clientOffset()) {
            throw new Problem(409, "incorrect offset " + offset + ": the session is at offset " + row.clientOffset())
                    .with("correct_offset", row.clientOffset());
        }
    }

    /** Frees an expired session's parts and row (unless another live request holds it; the sweep comes later). */
    private void expire(UUID id, UUID ownClaim) {
        try {
            repo.deleteSession(id, ownClaim).ifPresent(storeSession -> {
                try {
                    store.discardSession(storeSession);
                } catch (IOException e) {
                    log.warn("could not free the parts of expired upload session {}: {}", id, e.toString());
                }
            });
        } catch (RuntimeException e) {
            log.warn("could not remove expired upload session {}: {}", id, e.toString());
        }
    }

    private Problem expired(UUID id) {
        return Problem.notFound("upload session " + id + " expired (sessions live " + sessionTtl + ")")
                .with("field", "session_id");
    }

    private static Map<String, Object> offsetAnswer(long offset) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", true);
        out.put("offset", offset);
        return out;
    }
}
