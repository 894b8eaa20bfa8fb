package com.altus.hub.dropbox.teamspace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import com.altus.hub.dropbox.ContentHasher;
import com.altus.hub.dropbox.DropboxApiException;
import com.altus.hub.dropbox.DropboxTree;
import com.altus.hub.dropbox.StoredFile;
import com.altus.hub.dropbox.teamspace.TeamspaceRepository.Asset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one file asset from the App Folder into the Team Space and proves it arrived:
 * <ol>
 * <li>the target path is checked first (a file there with the same content_hash is the copy of an
 * earlier, interrupted run: recorded, not copied again; other content there is a conflict, never
 * overwritten or duplicated);</li>
 * <li>a copy reference ({@code copy_reference/get} on the App Folder, {@code copy_reference/save} in
 * the Team Space): no bytes through the hub. When the accounts refuse it (no_permission,
 * invalid_copy_reference) the rest of the run skips copy references;</li>
 * <li>else a streamed download to a spool file (hashed on disk, memory flat) and an upload without
 * autorename (upload sessions above 150 MB);</li>
 * <li>the stored file's content_hash must equal the row's, then teamspace_migrations and
 * file_assets are updated in one transaction.</li>
 * </ol>
 */
final class TeamspaceMigrator {
    private static final Logger log = LoggerFactory.getLogger(TeamspaceMigrator.class);

    /** How a file got into the Team Space. */
    enum Method {
        COPY_REFERENCE("copy_reference"), DOWNLOAD_UPLOAD("download_upload"), ALREADY_PRESENT("already_present"),
        ALREADY_MIGRATED("already_migrated");

        final String column;

        Method(String column) {
            this.column = column;
        }
    }

    /** What a migration did. */
    record Result(Method method, String targetPath, long bytesDownloaded, long size) {
    }

    private final TeamspaceRepository repository;
    private final Path spoolDir;
    private final String targetRoot;

    TeamspaceMigrator(TeamspaceRepository repository, Path spoolDir, String targetRoot) {
        this.repository = repository;
        this.spoolDir = spoolDir;
        this.targetRoot = targetRoot;
    }

    /** The Team Space path of an App Folder path: the same relative path (under hub.teamspace.target-root). */
    String targetPath(String dropboxPath) {
        return targetRoot + dropboxPath;
    }

    Result migrate(Asset a, DropboxTree source, DropboxTree target, AtomicBoolean copyReferences, long runId)
            throws IOException {
        String to = targetPath(a.dropboxPath());
        if (a.migratedAt() != null) {
            return new Result(Method.ALREADY_MIGRATED, to, 0, a.size());
        }
        repository.begin(a, to, runId);
        Optional<StoredFile> there = target.metadata(to);
        if (there.isPresent()) {
            return finish(a, to, there.get(), Method.ALREADY_PRESENT, 0, "a file with other content is already at " + to
                    + " in the Team Space (it is left alone)");
        }
        if (copyReferences.get()) {
            Optional<DropboxTree.CopyReference> ref = source.copyReference(a.dropboxPath());
            if (ref.isPresent()) {
                if (!a.contentHash().equals(ref.get().file().contentHash())) {
                    throw changed(a, ref.get().file().contentHash());
                }
                try {
                    StoredFile saved = target.saveCopyReference(ref.get().reference(), to);
                    repository.copied(a.id(), Method.COPY_REFERENCE.column);
                    return finish(a, to, saved, Method.COPY_REFERENCE, 0, "the copy has content_hash " + saved.contentHash());
                } catch (DropboxApiException e) {
                    String s = e.errorSummary();
                    if (s.startsWith("no_permission") || s.startsWith("invalid_copy_reference")) {
                        if (copyReferences.compareAndSet(true, false)) {
                            log.info("the Team Space refuses copy references of the App Folder ({}): files are downloaded "
                                    + "and uploaded for the rest of this run", s);
                        }
                    } else if (s.startsWith("path/conflict")) {
                        // it appeared meanwhile: the same content is the file we want
                        Optional<StoredFile> now = target.metadata(to);
                        if (now.isPresent()) {
                            return finish(a, to, now.get(), Method.ALREADY_PRESENT, 0, "a file with other content is "
                                    + "already at " + to + " in the Team Space (it is left alone)");
                        }
                        throw e;
                    } else if (!s.startsWith("not_found")) {
                        throw e;
                    }
                }
            }
        }
        Path spool = Files.createTempFile(Files.createDirectories(spoolDir), "teamspace-", ".bin");
        try {
            source.download(a.dropboxPath(), spool);
            long size = Files.size(spool);
            String hash;
            try (InputStream in = Files.newInputStream(spool)) {
                hash = ContentHasher.of(in);
            }
            if (!hash.equals(a.contentHash())) {
                throw changed(a, hash);
            }
            StoredFile stored = target.uploadExact(to, spool, size, hash);
            repository.copied(a.id(), Method.DOWNLOAD_UPLOAD.column);
            return finish(a, to, stored, Method.DOWNLOAD_UPLOAD, size, "a file with other content is already at " + to
                    + " in the Team Space (it is left alone)");
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private DropboxApiException changed(Asset a, String found) {
        return new DropboxApiException(409, "content_hash_mismatch/source/", "the App Folder file " + a.dropboxPath()
                + " has content_hash " + found + ", its file_assets row " + a.contentHash() + ": not migrated");
    }

    /** Verifies the Team Space file against the row's content_hash and records it, or throws. */
    private Result finish(Asset a, String to, StoredFile stored, Method method, long bytes, String mismatch) {
        if (!a.contentHash().equals(stored.contentHash())) {
            throw new DropboxApiException(409, "content_hash_mismatch/target/", mismatch);
        }
        repository.verified(a.id(), to, stored.contentHash(), method.column, bytes);
        return new Result(method, to, bytes, a.size());
    }
}
