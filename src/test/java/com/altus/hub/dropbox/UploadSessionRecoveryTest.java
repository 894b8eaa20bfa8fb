package com.altus.hub.dropbox;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Upload sessions when the store or the hub fails at the worst moment, on the real folder store
 * and the suite's PostgreSQL: a finish that placed its file and then "died" before the row was
 * committed is answered by its retry with the placed file; a start whose first chunk fails leaves
 * no row and no part behind.
 */
class UploadSessionRecoveryTest extends HubTestBase {
    @Autowired
    UploadRepository repo;
    @Autowired
    FolderMap folders;
    @Autowired
    ObjectMapper json;
    @Autowired
    HubSettings settings;

    Path dir;
    FaultyStore store;
    UploadSessionService sessions;

    /** The folder store with faults injected around it (not a fake: every call that goes through is real). */
    static final class FaultyStore implements DropboxStore {
        final FolderDropboxStore folder;
        volatile boolean dieAfterFinish;
        volatile boolean failAppends;

        FaultyStore(FolderDropboxStore folder) {
            this.folder = folder;
        }

        @Override
        public String kind() {
            return "faulty-folder";
        }

        @Override
        public StoredFile upload(String path, Path file, long size, String contentHash) throws IOException {
            return folder.upload(path, file, size, contentHash);
        }

        @Override
        public Optional<StoredFile> metadata(String path) throws IOException {
            return folder.metadata(path);
        }

        @Override
        public String startSession() throws IOException {
            return folder.startSession();
        }

        @Override
        public void append(String sessionId, long offset, Chunk chunk, long length) throws IOException {
            if (failAppends) {
                throw new DropboxApiException(409, "path/insufficient_space/", "no space left (injected)");
            }
            folder.append(sessionId, offset, chunk, length);
        }

        @Override
        public Appender openAppend(String sessionId, long offset) throws IOException {
            return folder.openAppend(sessionId, offset);
        }

        @Override
        public StoredFile finish(String sessionId, long offset, Chunk last, long lastLength, String path, String contentHash)
                throws IOException {
            StoredFile placed = folder.finish(sessionId, offset, last, lastLength, path, contentHash);
            if (dieAfterFinish) {
                dieAfterFinish = false;
                throw new IllegalStateException("the hub died after the store placed " + placed.path());
            }
            return placed;
        }

        @Override
        public void discardSession(String sessionId) throws IOException {
            folder.discardSession(sessionId);
        }

        @Override
        public int discardOrphanSessions(java.time.Instant cutoff, java.util.function.Predicate<String> known)
                throws IOException {
            return folder.discardOrphanSessions(cutoff, known);
        }

        @Override
        public void createFolders(List<String> paths) throws IOException {
            folder.createFolders(paths);
        }
    }

    @BeforeEach
    void service() throws Exception {
        dir = Files.createTempDirectory("upload-recovery");
        store = new FaultyStore(new FolderDropboxStore(dir.resolve("dropbox")));
        sessions = new UploadSessionService(store, folders, repo, json, settings, Duration.ofHours(1), Duration.ofMinutes(1));
    }

    @AfterEach
    void stop() {
        sessions.stop();
    }

    private UploadSessionService.Start start(String name) throws Exception {
        ObjectNode body = json.createObjectNode().put("entity_type", "Inspection").put("filename", name);
        body.set("meta", UploadApiSupport.meta());
        return sessions.parseStart(body);
    }

    private UploadBody chunk(byte[] bytes, String member) throws IOException {
        String body = "{\"" + member + "\":\"" + Base64.getEncoder().encodeToString(bytes) + "\"}";
        UploadBody.Limits limits = UploadBody.Limits.DEFAULT;
        return UploadBody.json(limits.factory(), limits, new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)),
                Set.of(member), dir.resolve("spool"), false);
    }

    @Test
    void aFinishRetriedAfterACrashBetweenPlacingAndCommittingAnswersThePlacedFile() throws Exception {
        String name = "crash-" + UUID.randomUUID() + ".bin";
        UploadSessionService.Start s = start(name);
        UUID id = UUID.fromString((String) sessions.start(s, null).get("session_id"));
        byte[] data = new byte[4 * 1024 * 1024 + 1234];
        new Random(77).nextBytes(data);
        try (UploadBody c = chunk(data, "chunk_base64")) {
            assertThat(sessions.append(new UploadSessionService.Target(id, 0), c).get("offset")).isEqualTo((long) data.length);
        }
        store.dieAfterFinish = true;
        assertThatThrownBy(() -> sessions.finish(new UploadSessionService.Target(id, data.length)))
                .hasMessageContaining("died after the store placed");
        Path placed = store.folder.local(s.path());
        assertThat(placed).as("the file was placed").isRegularFile();
        assertThat(jdbc.queryForObject("SELECT status FROM upload_sessions WHERE id = ?", String.class, id)).isEqualTo("open");
        // a crashed hub's claim outlives it until claimed_until; once that has passed the session is free again
        jdbc.update("UPDATE upload_sessions SET claimed_by = ?, claimed_until = now() + interval '1 minute' WHERE id = ?",
                UUID.randomUUID(), id);
        assertThatThrownBy(() -> sessions.finish(new UploadSessionService.Target(id, data.length)))
                .isInstanceOf(UploadRepository.SessionBusyException.class);
        jdbc.update("UPDATE upload_sessions SET claimed_until = now() - interval '1 second' WHERE id = ?", id);

        Map<String, Object> done = sessions.finish(new UploadSessionService.Target(id, data.length));
        assertThat(done.get("path")).isEqualTo(s.path());
        assertThat(done.get("content_hash")).isEqualTo(ContentHasher.of(data));
        assertThat(Files.readAllBytes(placed)).isEqualTo(data);
        try (var files = Files.list(placed.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("crash-")).toList())
                    .as("the retry placed nothing twice").containsExactly(name);
        }
        assertThat(jdbc.queryForObject("SELECT status FROM upload_sessions WHERE id = ?", String.class, id)).isEqualTo("finished");
        assertThat(jdbc.queryForObject("SELECT content_hash FROM file_assets WHERE dropbox_path = ?", String.class, s.path()))
                .isEqualTo(ContentHasher.of(data));
        try (var parts = Files.list(dir.resolve("dropbox-sessions"))) {
            assertThat(parts.toList()).as("no part left behind").isEmpty();
        }
        // and once more: a finished session answers its result
        assertThat(sessions.finish(new UploadSessionService.Target(id, data.length)).get("file_asset_id"))
                .isEqualTo(done.get("file_asset_id"));
    }

    @Test
    void aStartWhoseFirstChunkFailsLeavesNothingBehind() throws Exception {
        UploadSessionService.Start s = start("failed-start-" + UUID.randomUUID() + ".bin");
        byte[] first = new byte[4 * 1024 * 1024 + 5];
        new Random(78).nextBytes(first);
        store.failAppends = true;
        try (UploadBody c = chunk(first, "first_chunk_base64")) {
            assertThatThrownBy(() -> sessions.start(s, c))
                    .isInstanceOfSatisfying(DropboxApiException.class, e -> assertThat(e.errorSummary()).startsWith("path/insufficient_space"));
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM upload_sessions WHERE dest_path = ?", Long.class, s.path())).isZero();
        try (var parts = Files.list(dir.resolve("dropbox-sessions"))) {
            assertThat(parts.toList()).as("no store part left behind").isEmpty();
        }
        try (var spool = Files.list(dir.resolve("spool"))) {
            assertThat(spool.toList()).as("the request's spool is gone").isEmpty();
        }
    }
}
