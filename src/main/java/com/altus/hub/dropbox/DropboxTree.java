package com.altus.hub.dropbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The Dropbox operations the drift detector and the Team Space migration need, beside the upload
 * side's {@link DropboxStore}: a whole tree read with recursive {@code list_folder} and its cursor,
 * folders created {@link #MAX_BATCH} at a time with {@code create_folder_batch} (and its check when
 * Dropbox answers asynchronously), {@code move_v2}, copy references, downloads, strict uploads
 * (never renamed), the account and its root namespace. Adapters: {@link SdkDropboxTree} (Dropbox
 * through the SDK, optionally with a {@code Dropbox-API-Path-Root}) and {@link FolderDropboxTree}
 * (the embedded default's folder). Failures throw; Dropbox's route errors are
 * {@link DropboxApiException} with the error summary (e.g. {@code to/conflict/folder/}).
 */
public interface DropboxTree {
    /** Dropbox's limit of paths per create_folder_batch call. */
    int MAX_BATCH = 10_000;
    /** Dropbox's largest list_folder page. */
    int MAX_LIST_LIMIT = 2_000;

    /** "dropbox" or "folder". */
    String kind();

    /** A file or folder of a listing (Dropbox's metadata fields the hub reads). */
    record Entry(boolean folder, String pathLower, String pathDisplay, String id, long size, String contentHash) {
    }

    /** One page of a listing and the cursor to continue it. */
    record ListPage(List<Entry> entries, String cursor, boolean hasMore) {
    }

    /** The first page of {@code list_folder}; empty when the folder does not exist. */
    Optional<ListPage> listFolder(String path, boolean recursive, int limit) throws IOException;

    /** The next page ({@code list_folder/continue}). */
    ListPage listFolderContinue(String cursor) throws IOException;

    /** The outcome of one path of a folder batch: ok, or Dropbox's error summary (e.g. {@code path/conflict/file/}). */
    record BatchEntry(String path, boolean ok, String failure) {
        /** A folder that already existed is no failure for the hub. */
        public boolean okOrExists() {
            return ok || (failure != null && failure.startsWith("path/conflict/folder"));
        }
    }

    /** A folder batch: complete with its entries (in the order of the paths), or still running as {@code asyncJobId}. */
    record BatchStatus(String asyncJobId, List<BatchEntry> entries) {
        public boolean complete() {
            return entries != null;
        }
    }

    /** {@code create_folder_batch} (no autorename): up to {@link #MAX_BATCH} paths, parents created as needed. */
    BatchStatus createFolderBatch(List<String> paths) throws IOException;

    /** {@code create_folder_batch/check} of an asynchronous batch; {@code paths} are the batch's paths, in order. */
    BatchStatus createFolderBatchCheck(String asyncJobId, List<String> paths) throws IOException;

    /** {@code move_v2} of a file or folder with its contents (no autorename: a taken target is {@code to/conflict/...}). */
    void move(String fromPath, String toPath) throws IOException;

    /** The file at that exact path, if there is one. */
    Optional<StoredFile> metadata(String path) throws IOException;

    /** A copy reference of a file and the file it names. */
    record CopyReference(String reference, StoredFile file) {
    }

    /** {@code copy_reference/get}; empty when this store has no copy references (the folder store). */
    Optional<CopyReference> copyReference(String path) throws IOException;

    /** {@code copy_reference/save} to {@code path}: the file as stored there. */
    StoredFile saveCopyReference(String reference, String path) throws IOException;

    /**
     * Streams the file ({@code download}) into {@code to} (replaced; a retried download starts it
     * again) and answers the file's metadata as Dropbox sent it.
     */
    StoredFile download(String path, Path to) throws IOException;

    /**
     * Stores a spooled file at exactly {@code path} (write mode add without autorename; upload
     * sessions above 150 MB): the same content there already answers that file; other content
     * there is a {@code path/conflict/file/} error, never a renamed copy.
     */
    StoredFile uploadExact(String path, Path file, long size, String contentHash) throws IOException;

    /** The account behind the credential and its namespaces ({@code users/get_current_account}). */
    record Account(String accountId, String rootNamespaceId, String homeNamespaceId, boolean team) {
    }

    Account account() throws IOException;

    /** The same account with paths relative to that namespace ({@code Dropbox-API-Path-Root: {".tag":"root",...}}). */
    DropboxTree withRootNamespace(String namespaceId);

    /** Requests sent per endpoint so far (for run stats). */
    java.util.Map<String, Long> calls();
}
