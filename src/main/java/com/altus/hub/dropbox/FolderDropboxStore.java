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
import java.nio.file.StandardCopyOption;
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
        return place(path, file, contentHash);
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

    @Override
    public void append(String sessionId, long offset, Chunk chunk, long length) throws IOException {
        Path part = part(sessionId);
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.WRITE)) {
            long have = out.size();
            if (length > 0 && have == offset + length) {
                return; // already appended: the earlier answer was lost
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
        StoredFile stored = place(path, part, contentHash);
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

    /** Puts {@code file}'s content at path or the first free "name (n).ext"; the same content answers the existing file. */
    private StoredFile place(String path, Path file, String contentHash) throws IOException {
        String parent = FolderMap.parent(path);
        String name = FolderMap.name(path);
        Files.createDirectories(local(parent));
        Path staged = Files.createTempFile(local(parent), ".upload-", ".tmp");
        try {
            Files.copy(file, staged, StandardCopyOption.REPLACE_EXISTING);
            for (int n = 0; n < 10_000; n++) {
                String candidate = parent + "/" + (n == 0 ? name : FolderMap.numbered(name, n));
                Path target = local(candidate);
                try {
                    Files.createLink(target, staged);
                    return describe(candidate, target, contentHash);
                } catch (FileAlreadyExistsException taken) {
                    if (n == 0) {
                        // only the requested name is compared (as Dropbox does): same content -> the existing file
                        Optional<StoredFile> existing = metadata(candidate);
                        if (existing.isPresent() && existing.get().contentHash().equals(contentHash)) {
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
