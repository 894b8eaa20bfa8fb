package com.altus.hub.dropbox;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the hub's documents go: Dropbox through its SDK ({@link SdkDropboxStore}) or, in the
 * embedded default, a local folder with the same semantics ({@link FolderDropboxStore}).
 * Names are never overwritten: an existing name with the same content_hash answers the
 * existing file, other content is stored under "name (n).ext". Failures throw; nothing
 * here reports an error as a result value.
 */
public interface DropboxStore {
    /** Dropbox's limit for one upload request; bigger files go through an upload session. */
    long MAX_SINGLE_REQUEST = 150L * 1024 * 1024;

    /** "dropbox" or "folder" (shown in logs and docs). */
    String kind();

    /** Stores a whole (spooled) file; sessions are used above {@link #MAX_SINGLE_REQUEST}. */
    StoredFile upload(String path, Path file, long size, String contentHash) throws IOException;

    /** The file at that exact path, if there is one. */
    Optional<StoredFile> metadata(String path) throws IOException;

    /** Opens an upload session and answers its id. */
    String startSession() throws IOException;

    /**
     * Appends the {@code length} bytes of {@code chunk} at {@code offset}. A wrong offset throws
     * {@link IncorrectOffsetException} with the store's offset; bytes the store already has (an
     * append whose answer was lost) count as appended.
     */
    void append(String sessionId, long offset, Chunk chunk, long length) throws IOException;

    /**
     * Opens an append at {@code offset} whose bytes the caller writes as they arrive (a client's
     * chunk piped through). Failures show at any write or at {@link Appender#finish()}; the
     * caller then resends from its own copy with {@link #append}, which also recognizes bytes that
     * did land.
     */
    Appender openAppend(String sessionId, long offset) throws IOException;

    /** An append in progress. */
    interface Appender {
        OutputStream body() throws IOException;

        /** Completes the request; throws as {@link #append} does. */
        void finish() throws IOException;

        /** Gives the request up (nothing of it is kept). */
        void abort();
    }

    /** Appends the last bytes and commits the session to {@code path} (same naming rules as upload). */
    StoredFile finish(String sessionId, long offset, Chunk last, long lastLength, String path, String contentHash)
            throws IOException;

    /**
     * Gives up a session the hub will not finish and frees what the store holds for it (the
     * folder store's part file). Dropbox keeps nothing of it that can be freed: its sessions
     * expire on their own after 7 days.
     */
    void discardSession(String sessionId) throws IOException;

    /**
     * Frees sessions started before {@code cutoff} that no upload session row knows (a hub that
     * died between starting a store session and recording it). Nothing to do for Dropbox.
     */
    default int discardOrphanSessions(java.time.Instant cutoff, java.util.function.Predicate<String> known)
            throws IOException {
        return 0;
    }

    /**
     * The file with this content that an earlier upload or finish committed for {@code path}:
     * the path itself or one of its autorenamed names ("name (n).ext", taken in order, so the
     * search stops at the first free one). Finds the result of a finish whose answer, or whose
     * commit in PostgreSQL, was lost.
     */
    default Optional<StoredFile> findStored(String path, String contentHash) throws IOException {
        String parent = FolderMap.parent(path);
        String name = FolderMap.name(path);
        for (int n = 0; n < 1000; n++) {
            Optional<StoredFile> f = metadata(n == 0 ? path : parent + "/" + FolderMap.numbered(name, n));
            if (f.isEmpty()) {
                return Optional.empty();
            }
            if (contentHash.equals(f.get().contentHash())) {
                return f;
            }
        }
        return Optional.empty();
    }

    /** Bytes that can be read again for a retry: a region of a spooled file, maybe after a few bytes held in memory. */
    @FunctionalInterface
    interface Chunk {
        InputStream open() throws IOException;

        static Chunk of(byte[] bytes) {
            return () -> new ByteArrayInputStream(bytes);
        }

        static Chunk of(Path file, long from, long length) {
            return () -> FileSlice.open(file, from, length);
        }

        static Chunk concat(byte[] head, Path file, long from, long length) {
            return () -> new SequenceInputStream(new ByteArrayInputStream(head), FileSlice.open(file, from, length));
        }
    }

    /** Creates folders (and their parents) that do not exist yet; existing ones are fine. */
    void createFolders(List<String> paths) throws IOException;
}
