package com.altus.hub.dropbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The embedded default of {@link DropboxStore}: Dropbox paths map onto {@code root} (that is
 * {@code $HUB_DATA_DIR/dropbox}), sessions are part files next to it. Same rules as Dropbox:
 * exact offsets, the same content_hash, never overwrite, "name (n).ext" for a taken name.
 * A new name is claimed with a hard link, which fails atomically when the name exists, so two
 * writers (threads or hubs sharing the folder) cannot both take it.
 */
public class FolderDropboxStore implements DropboxStore {
    private final Path root;
    private final Path sessions;

    public FolderDropboxStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.sessions = this.root.resolveSibling(this.root.getFileName() + "-sessions");
        Files.createDirectories(this.root);
        Files.createDirectories(sessions);
    }

    @Override
    public String kind() {
        return "folder";
    }

    public Path root() {
        return root;
    }

    /** The local file of a Dropbox path; refuses anything that would leave the root. */
    public Path local(String dropboxPath) {
        if (!dropboxPath.startsWith("/") || dropboxPath.contains("\0")) {
            throw new IllegalArgumentException("not an absolute Dropbox path");
        }
        Path p = root.resolve(dropboxPath.substring(1)).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("path leaves the store's root");
        }
        return p;
    }

    @Override
    public StoredFile upload(String path, Path file, long size, String contentHash) throws IOException {
        return place(path, file);
    }

    @Override
    public Optional<StoredFile> metadata(String path) throws IOException {
        Path p = local(path);
        if (!Files.isRegularFile(p)) {
            return Optional.empty();
        }
        String hash;
        try (InputStream in = Files.newInputStream(p)) {
            hash = ContentHasher.of(in);
        }
        return Optional.of(describe(path, p, hash));
    }

    @Override
    public String startSession() throws IOException {
        String id = UUID.randomUUID().toString();
        Files.createFile(part(id));
        return id;
    }

    /**
     * Appends at {@code offset}. Bytes already in the part at [offset, offset + length) (an
     * append that landed but whose answer, or whose commit in PostgreSQL, was lost) count as
     * appended only when they are the same bytes; other bytes there were never committed by
     * the hub (its session row says {@code offset}), so they are replaced.
     */
    @Override
    public void append(String sessionId, long offset, Chunk chunk, long length) throws IOException {
        Path part = part(sessionId);
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long have = out.size();
            if (length > 0 && have == offset + length) {
                if (sameBytes(out, offset, chunk, length)) {
                    return; // already appended: the earlier answer was lost
                }
                out.truncate(offset);
                have = offset;
            }
            if (have != offset) {
                throw new IncorrectOffsetException(have);
            }
            out.position(offset);
            try (InputStream in = chunk.open()) {
                long copied = copy(in, out, length);
                if (copied != length) {
                    out.truncate(offset);
                    throw new IOException("chunk ended after " + copied + " of " + length + " bytes");
                }
            }
            out.force(false);
        } catch (NoSuchFileException e) {
            throw new DropboxApiException(409, "lookup_failed/not_found/", "upload session " + sessionId + " not found");
        }
    }

    /** Whether the part holds exactly the chunk's bytes at [offset, offset + length). */
    private static boolean sameBytes(FileChannel part, long offset, Chunk chunk, long length) throws IOException {
        byte[] mine = new byte[1 << 16];
        byte[] theirs = new byte[1 << 16];
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(mine);
        try (InputStream in = chunk.open()) {
            long pos = offset;
            long left = length;
            while (left > 0) {
                int want = (int) Math.min(mine.length, left);
                if (in.readNBytes(theirs, 0, want) != want) {
                    return false;
                }
                buf.clear().limit(want);
                while (buf.hasRemaining()) {
                    if (part.read(buf, pos + buf.position()) < 0) {
                        return false;
                    }
                }
                if (!java.util.Arrays.equals(mine, 0, want, theirs, 0, want)) {
                    return false;
                }
                pos += want;
                left -= want;
            }
            return true;
        }
    }

    @Override
    public Appender openAppend(String sessionId, long offset) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(part(sessionId), StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new DropboxApiException(409, "lookup_failed/not_found/", "upload session " + sessionId + " not found");
        }
        long have = ch.size();
        if (have != offset) {
            ch.close();
            throw new IncorrectOffsetException(have);
        }
        ch.position(offset);
        OutputStream out = java.nio.channels.Channels.newOutputStream(ch);
        return new Appender() {
            @Override
            public OutputStream body() {
                return out;
            }

            @Override
            public void finish() throws IOException {
                try {
                    ch.force(false);
                } finally {
                    ch.close();
                }
            }

            @Override
            public void abort() {
                try {
                    ch.truncate(offset);
                    ch.close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot undo a partial append to session " + sessionId, e);
                }
            }
        };
    }

    @Override
    public StoredFile finish(String sessionId, long offset, Chunk last, long lastLength, String path, String contentHash)
            throws IOException {
        Path part = part(sessionId);
        if (!Files.exists(part)) {
            throw new DropboxApiException(409, "lookup_failed/not_found/", "upload session " + sessionId + " not found");
        }
        append(sessionId, offset, last, lastLength);
        StoredFile stored = place(path, part);
        Files.deleteIfExists(part);
        return stored;
    }

    private static long copy(InputStream in, FileChannel out, long max) throws IOException {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        while (total < max) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, max - total));
            if (n < 0) {
                break;
            }
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(buf, 0, n);
            while (bb.hasRemaining()) {
                out.write(bb);
            }
            total += n;
        }
        return total;
    }

    @Override
    public void createFolders(List<String> paths) throws IOException {
        for (String p : paths) {
            Files.createDirectories(local(p));
        }
    }

    private Path part(String sessionId) {
        if (!sessionId.matches("[0-9a-f-]{36}")) {
            throw new DropboxApiException(409, "lookup_failed/not_found/", "no such upload session");
        }
        return sessions.resolve(sessionId + ".part");
    }

    /**
     * Puts {@code file}'s content at path or the first free "name (n).ext"; the same content
     * answers the existing file. The content_hash answered is computed from the bytes copied into
     * the store, not taken from the caller, so the caller's check against what it sent means
     * something.
     */
    private StoredFile place(String path, Path file) throws IOException {
        String parent = FolderMap.parent(path);
        String name = FolderMap.name(path);
        Files.createDirectories(local(parent));
        Path staged = Files.createTempFile(local(parent), ".upload-", ".tmp");
        try {
            String onDisk = copyHashing(file, staged);
            for (int n = 0; n < 10_000; n++) {
                String candidate = parent + "/" + (n == 0 ? name : FolderMap.numbered(name, n));
                Path target = local(candidate);
                try {
                    Files.createLink(target, staged);
                    return describe(candidate, target, onDisk);
                } catch (FileAlreadyExistsException taken) {
                    if (n == 0) {
                        // only the requested name is compared (as Dropbox does): same content -> the existing file
                        Optional<StoredFile> existing = metadata(candidate);
                        if (existing.isPresent() && existing.get().contentHash().equals(onDisk)) {
                            return existing.get();
                        }
                    }
                }
            }
            throw new DropboxApiException(409, "path/conflict/file/", "no free name for " + path);
        } finally {
            Files.deleteIfExists(staged);
        }
    }

    /** Copies a file and answers the content_hash of the bytes written. */
    private static String copyHashing(Path from, Path to) throws IOException {
        ContentHasher hasher = new ContentHasher();
        try (InputStream in = Files.newInputStream(from);
             OutputStream out = hasher.tee(new java.io.BufferedOutputStream(Files.newOutputStream(to,
                     StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), 1 << 16))) {
            in.transferTo(out);
        }
        return hasher.finish();
    }

    @Override
    public int discardOrphanSessions(java.time.Instant cutoff, java.util.function.Predicate<String> known)
            throws IOException {
        int n = 0;
        try (var parts = Files.list(sessions)) {
            for (Path p : parts.toList()) {
                String file = p.getFileName().toString();
                if (!file.endsWith(".part")) {
                    continue;
                }
                String id = file.substring(0, file.length() - ".part".length());
                if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff) && !known.test(id)
                        && Files.deleteIfExists(p)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Deletes a session's part file (an expired or abandoned session holds no disk). */
    @Override
    public void discardSession(String sessionId) throws IOException {
        if (sessionId != null && sessionId.matches("[0-9a-f-]{36}")) {
            Files.deleteIfExists(sessions.resolve(sessionId + ".part"));
        }
    }

    private StoredFile describe(String path, Path p, String hash) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        byte[] idDigest = ContentHasher.sha256().digest(path.getBytes(StandardCharsets.UTF_8));
        String id = "id:" + Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(idDigest, 16));
        byte[] revDigest = ContentHasher.sha256().digest((hash + ":" + a.lastModifiedTime().toMillis())
                .getBytes(StandardCharsets.UTF_8));
        String rev = HexFormat.of().formatHex(java.util.Arrays.copyOf(revDigest, 9));
        return new StoredFile(path, id, rev, a.size(), hash);
    }
}
