package com.altus.hub.dropbox;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The local folder store has Dropbox's semantics: naming, content_hash, session offsets. */
class FolderDropboxStoreTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void sameNameSameContentIsTheSameFileOtherContentIsRenamed() throws Exception {
        FolderDropboxStore store = new FolderDropboxStore(dir.resolve("dropbox"));
        Path a = write("a.txt", "alpha");
        String ha = ContentHasher.of("alpha".getBytes(StandardCharsets.UTF_8));
        StoredFile first = store.upload("/Root/x/report.pdf", a, 5, ha);
        assertThat(first.path()).isEqualTo("/Root/x/report.pdf");
        assertThat(first.contentHash()).isEqualTo(ha);
        assertThat(Files.readString(dir.resolve("dropbox/Root/x/report.pdf"))).isEqualTo("alpha");

        StoredFile again = store.upload("/Root/x/report.pdf", a, 5, ha);
        assertThat(again.path()).isEqualTo(first.path());
        assertThat(again.id()).isEqualTo(first.id());

        Path b = write("b.txt", "bravo!");
        StoredFile other = store.upload("/Root/x/report.pdf", b, 6, ContentHasher.of("bravo!".getBytes(StandardCharsets.UTF_8)));
        assertThat(other.path()).isEqualTo("/Root/x/report (1).pdf");
        assertThat(Files.readString(dir.resolve("dropbox/Root/x/report.pdf"))).isEqualTo("alpha");
        assertThat(Files.readString(dir.resolve("dropbox/Root/x/report (1).pdf"))).isEqualTo("bravo!");
        assertThat(store.metadata("/Root/x/report (1).pdf")).get().extracting(StoredFile::size).isEqualTo(6L);
        assertThat(store.metadata("/Root/x/none.pdf")).isEmpty();
        try (var files = Files.list(dir.resolve("dropbox/Root/x"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder("report.pdf", "report (1).pdf");
        }
    }

    @Test
    void sessionsNeedExactOffsetsAndToleratALostAnswer() throws Exception {
        FolderDropboxStore store = new FolderDropboxStore(dir.resolve("dropbox"));
        Path chunk = write("chunk.bin", "0123456789");
        String session = store.startSession();
        store.append(session, 0, DropboxStore.Chunk.of(chunk, 0, 4), 4);
        assertThatThrownBy(() -> store.append(session, 2, DropboxStore.Chunk.of(chunk, 4, 3), 3))
                .isInstanceOfSatisfying(IncorrectOffsetException.class, e -> assertThat(e.correctOffset()).isEqualTo(4));
        // the same append again (its answer was lost): already there, nothing doubled
        store.append(session, 0, DropboxStore.Chunk.of(chunk, 0, 4), 4);
        store.append(session, 4, DropboxStore.Chunk.of(chunk, 4, 3), 3);
        StoredFile f = store.finish(session, 7, DropboxStore.Chunk.of("789".getBytes(StandardCharsets.UTF_8)), 3,
                "/Root/s/file.bin", ContentHasher.of("0123456789".getBytes(StandardCharsets.UTF_8)));
        assertThat(Files.readString(dir.resolve("dropbox/Root/s/file.bin"))).isEqualTo("0123456789");
        assertThat(f.size()).isEqualTo(10);
        assertThatThrownBy(() -> store.append(session, 10, DropboxStore.Chunk.of(chunk, 0, 1), 1))
                .isInstanceOfSatisfying(DropboxApiException.class, e -> assertThat(e.errorSummary()).startsWith("lookup_failed/not_found"));
    }

    @Test
    void theContentHashComesFromTheBytesOnDiskNotFromTheCaller() throws Exception {
        FolderDropboxStore store = new FolderDropboxStore(dir.resolve("dropbox"));
        Path a = write("h.txt", "hotel");
        String real = ContentHasher.of("hotel".getBytes(StandardCharsets.UTF_8));
        String claimed = ContentHasher.of("something else".getBytes(StandardCharsets.UTF_8));
        StoredFile f = store.upload("/Root/h/file.txt", a, 5, claimed);
        assertThat(f.contentHash()).isEqualTo(real).isNotEqualTo(claimed);
        // the caller's check now fails as it must
        assertThatThrownBy(() -> UploadService.verify(f, 5, claimed))
                .isInstanceOfSatisfying(DropboxApiException.class, e -> assertThat(e.errorSummary()).startsWith("content_hash_mismatch"));
        // the same name with the same bytes answers the existing file, whatever hash the caller claims
        StoredFile again = store.upload("/Root/h/file.txt", a, 5, claimed);
        assertThat(again.path()).isEqualTo("/Root/h/file.txt");
    }

    @Test
    void anAlreadyAppendedClaimIsCheckedAgainstTheBytes() throws Exception {
        FolderDropboxStore store = new FolderDropboxStore(dir.resolve("dropbox"));
        Path right = write("right.bin", "ABCDEFGH");
        Path wrong = write("wrong.bin", "ABCDxxxx");
        String session = store.startSession();
        store.append(session, 0, DropboxStore.Chunk.of(right, 0, 4), 4);
        // bytes 4..8 landed from a request whose commit was lost, but they are not what the retry sends
        store.append(session, 4, DropboxStore.Chunk.of(wrong, 4, 4), 4);
        store.append(session, 4, DropboxStore.Chunk.of(right, 4, 4), 4);
        StoredFile f = store.finish(session, 8, DropboxStore.Chunk.of(new byte[0]), 0, "/Root/b/bytes.bin",
                ContentHasher.of("ABCDEFGH".getBytes(StandardCharsets.UTF_8)));
        assertThat(Files.readString(dir.resolve("dropbox/Root/b/bytes.bin"))).isEqualTo("ABCDEFGH");
        assertThat(f.contentHash()).isEqualTo(ContentHasher.of("ABCDEFGH".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void discardedAndOrphanedSessionsHoldNoDisk() throws Exception {
        FolderDropboxStore store = new FolderDropboxStore(dir.resolve("dropbox"));
        Path chunk = write("c.bin", "0123");
        String gone = store.startSession();
        store.append(gone, 0, DropboxStore.Chunk.of(chunk, 0, 4), 4);
        store.discardSession(gone);
        assertThatThrownBy(() -> store.append(gone, 4, DropboxStore.Chunk.of(chunk, 0, 4), 4))
                .isInstanceOf(DropboxApiException.class);
        String known = store.startSession();
        String orphan = store.startSession();
        int removed = store.discardOrphanSessions(java.time.Instant.now().plusSeconds(5), known::equals);
        assertThat(removed).isEqualTo(1);
        store.append(known, 0, DropboxStore.Chunk.of(chunk, 0, 4), 4);
        assertThatThrownBy(() -> store.append(orphan, 0, DropboxStore.Chunk.of(chunk, 0, 4), 4))
                .isInstanceOf(DropboxApiException.class);
        try (var parts = Files.list(dir.resolve("dropbox-sessions"))) {
            assertThat(parts.map(p -> p.getFileName().toString()).toList()).containsExactly(known + ".part");
        }
    }

    @Test
    void findStoredFollowsTheAutorenamedNames() throws Exception {
        FolderDropboxStore store = new FolderDropboxStore(dir.resolve("dropbox"));
        store.upload("/Root/f/doc.pdf", write("1.txt", "one"), 3, "x");
        store.upload("/Root/f/doc.pdf", write("2.txt", "two"), 3, "x");
        String two = ContentHasher.of("two".getBytes(StandardCharsets.UTF_8));
        assertThat(store.findStored("/Root/f/doc.pdf", two)).get().extracting(StoredFile::path).isEqualTo("/Root/f/doc (1).pdf");
        assertThat(store.findStored("/Root/f/doc.pdf", ContentHasher.of("three".getBytes(StandardCharsets.UTF_8)))).isEmpty();
    }

    @Test
    void pathsCannotLeaveTheRoot() throws Exception {
        FolderDropboxStore store = new FolderDropboxStore(dir.resolve("dropbox"));
        assertThatThrownBy(() -> store.local("/../outside.txt")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.local("relative")).isInstanceOf(IllegalArgumentException.class);
        store.createFolders(List.of("/Root/a/b", "/Root/a/b"));
        assertThat(dir.resolve("dropbox/Root/a/b")).isDirectory();
    }
}
