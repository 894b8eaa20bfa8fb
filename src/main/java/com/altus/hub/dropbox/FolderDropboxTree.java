package com.altus.hub.dropbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@link DropboxTree} on the embedded default's folder ({@link FolderDropboxStore}), so the drift
 * detector works without Dropbox. Same answers as Dropbox: listings come in pages of {@code limit}
 * entries with a cursor (the walk is taken at the first call; a cursor this instance does not know
 * is {@code reset/}), folder batches complete at once with an entry per path (an existing folder is
 * {@code path/conflict/folder/}, a file in the way {@code path/conflict/file/}), moves take the
 * folder with its contents ({@code from_lookup/not_found/}, {@code to/conflict/...}). Listed files
 * carry no content_hash (that would read every file); {@link #metadata} has it. Paths are
 * case-insensitive as in Dropbox: an existing local name is found whatever the case of the path
 * (the drift detector plans with lower-case paths). There are no copy references and no
 * namespaces here.
 */
public class FolderDropboxTree implements DropboxTree {
    private final FolderDropboxStore store;
    private final Map<String, Deque<Entry>> cursors = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();

    public FolderDropboxTree(FolderDropboxStore store) {
        this.store = store;
    }

    @Override
    public String kind() {
        return "folder";
    }

    private void count(String endpoint) {
        calls.computeIfAbsent(endpoint, k -> new AtomicLong()).incrementAndGet();
    }

    @Override
    public Map<String, Long> calls() {
        Map<String, Long> out = new TreeMap<>();
        calls.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** The Dropbox path of a local file under the store's root. */
    private String dropboxPath(Path local) {
        StringBuilder sb = new StringBuilder();
        for (Path part : store.root().relativize(local)) {
            sb.append('/').append(part);
        }
        return sb.toString();
    }

    /**
     * The local file of a Dropbox path, matching existing names case-insensitively as Dropbox does
     * (the exact name first); the part of the path that does not exist keeps the given case.
     */
    Path resolve(String dropboxPath) throws IOException {
        Path exact = store.local(dropboxPath);
        if (Files.exists(exact)) {
            return exact;
        }
        Path p = store.root();
        String[] segs = dropboxPath.substring(1).split("/");
        for (int i = 0; i < segs.length; i++) {
            Path next = p.resolve(segs[i]);
            if (!Files.exists(next) && Files.isDirectory(p)) {
                try (Stream<Path> names = Files.list(p)) {
                    String seg = segs[i];
                    next = names.filter(n -> n.getFileName().toString().equalsIgnoreCase(seg)).findFirst().orElse(next);
                }
            }
            p = next;
        }
        return store.local(dropboxPath(p));
    }

    @Override
    public Optional<ListPage> listFolder(String path, boolean recursive, int limit) throws IOException {
        count("list_folder");
        Path dir = resolve(path);
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        Deque<Entry> all = new ConcurrentLinkedDeque<>();
        try (Stream<Path> walk = recursive ? Files.walk(dir) : Files.list(dir)) {
            walk.filter(p -> !p.equals(dir) && !p.getFileName().toString().startsWith(".upload-")).forEach(p -> {
                String dp = dropboxPath(p);
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    all.add(new Entry(a.isDirectory(), dp.toLowerCase(Locale.ROOT), dp, "id:" + dp.hashCode(),
                            a.isDirectory() ? 0 : a.size(), null));
                } catch (IOException gone) {
                    // removed while listing: Dropbox would not list it either
                }
            });
        }
        String cursor = "folder-cursor-" + UUID.randomUUID();
        cursors.put(cursor, all);
        return Optional.of(next(cursor, Math.max(1, Math.min(limit, MAX_LIST_LIMIT))));
    }

    @Override
    public ListPage listFolderContinue(String cursor) {
        count("list_folder/continue");
        return next(cursor, MAX_LIST_LIMIT);
    }

    private ListPage next(String cursor, int limit) {
        Deque<Entry> rest = cursors.get(cursor);
        if (rest == null) {
            throw new DropboxApiException(409, "reset/", "list_folder/continue: unknown or expired cursor");
        }
        List<Entry> page = new ArrayList<>(Math.min(limit, rest.size()));
        while (page.size() < limit && !rest.isEmpty()) {
            page.add(rest.poll());
        }
        boolean more = !rest.isEmpty();
        if (!more) {
            cursors.remove(cursor);
        }
        return new ListPage(page, cursor, more);
    }

    @Override
    public BatchStatus createFolderBatch(List<String> paths) throws IOException {
        count("create_folder_batch");
        if (paths.isEmpty() || paths.size() > MAX_BATCH) {
            throw new IllegalArgumentException("a folder batch has 1 to " + MAX_BATCH + " paths, not " + paths.size());
        }
        List<BatchEntry> out = new ArrayList<>(paths.size());
        for (String p : paths) {
            Path local = resolve(p);
            if (Files.isDirectory(local)) {
                out.add(new BatchEntry(p, false, "path/conflict/folder/"));
                continue;
            }
            try {
                Files.createDirectories(local);
                out.add(new BatchEntry(p, true, null));
            } catch (FileAlreadyExistsException | java.nio.file.NotDirectoryException fileInTheWay) {
                out.add(new BatchEntry(p, false, "path/conflict/file/"));
            }
        }
        return new BatchStatus(null, out);
    }

    @Override
    public BatchStatus createFolderBatchCheck(String asyncJobId, List<String> paths) {
        count("create_folder_batch/check");
        throw new DropboxApiException(409, "invalid_async_job_id/", "the folder store completes folder batches at once");
    }

    @Override
    public void move(String fromPath, String toPath) throws IOException {
        count("move_v2");
        Path from = resolve(fromPath);
        Path to = resolve(toPath);
        if (!Files.exists(from)) {
            throw new DropboxApiException(409, "from_lookup/not_found/", "move_v2 " + fromPath + ": not found");
        }
        if (Files.exists(to)) {
            throw new DropboxApiException(409, "to/conflict/" + (Files.isDirectory(to) ? "folder/" : "file/"),
                    "move_v2 to " + toPath + ": something is already there");
        }
        Files.createDirectories(to.getParent());
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public Optional<StoredFile> metadata(String path) throws IOException {
        count("get_metadata");
        return store.metadata(dropboxPath(resolve(path)));
    }

    @Override
    public Optional<CopyReference> copyReference(String path) {
        return Optional.empty();
    }

    @Override
    public StoredFile saveCopyReference(String reference, String path) {
        count("copy_reference/save");
        throw new DropboxApiException(409, "invalid_copy_reference/", "the folder store takes no copy references");
    }

    @Override
    public StoredFile download(String path, Path to) throws IOException {
        count("download");
        Path local = resolve(path);
        if (!Files.isRegularFile(local)) {
            throw new DropboxApiException(409, "path/not_found/", "download " + path + ": not found");
        }
        Files.copy(local, to, StandardCopyOption.REPLACE_EXISTING);
        return store.metadata(dropboxPath(local)).orElseThrow(() -> new DropboxApiException(409, "path/not_found/",
                "download " + path + ": removed while reading"));
    }

    @Override
    public StoredFile uploadExact(String path, Path file, long size, String contentHash) throws IOException {
        count("upload");
        path = dropboxPath(resolve(path));
        Optional<StoredFile> there = store.metadata(path);
        if (there.isPresent()) {
            if (there.get().contentHash().equals(contentHash)) {
                return there.get();
            }
            throw new DropboxApiException(409, "path/conflict/file/", "upload " + path + ": another file is already there");
        }
        Path target = store.local(path);
        Files.createDirectories(target.getParent());
        Path staged = Files.createTempFile(target.getParent(), ".upload-", ".tmp");
        try {
            try (InputStream in = Files.newInputStream(file)) {
                Files.copy(in, staged, StandardCopyOption.REPLACE_EXISTING);
            }
            try {
                Files.createLink(target, staged); // atomic: fails when the name was taken meanwhile
            } catch (FileAlreadyExistsException taken) {
                throw new DropboxApiException(409, "path/conflict/file/", "upload " + path + ": another file is already there");
            }
        } finally {
            Files.deleteIfExists(staged);
        }
        return store.metadata(path).orElseThrow();
    }

    @Override
    public Account account() {
        count("users/get_current_account");
        return new Account("folder", "folder", "folder", false);
    }

    @Override
    public DropboxTree withRootNamespace(String namespaceId) {
        throw new UnsupportedOperationException("the folder store has no namespaces");
    }
}
