package com.altus.hub.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Blob source of the embedded default: the regular files directly in a folder
 * ({@code HUB_BLOB_DIR}, default {@code samples/azure-blobs}).
 *
 * <p>The ETag is {@code <size hex>-<mtime microseconds hex>}: listing a folder stays as cheap as
 * listing a container (nothing is read), and any rewrite of a file gives it a new ETag, as an
 * upload does in Azure. A rewrite with identical content is re-processed and changes no row.
 */
public final class FolderBlobSource implements BlobSource {
    private final Path dir;

    public FolderBlobSource(Path dir) {
        this.dir = dir;
    }

    @Override
    public String describe() {
        return "folder " + dir;
    }

    @Override
    public List<BlobRef> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "the blob folder (HUB_BLOB_DIR) does not exist");
        }
        List<BlobRef> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                if (a.isRegularFile() && !p.getFileName().toString().startsWith(".")) {
                    out.add(new BlobRef(p.getFileName().toString(), etag(a), a.size()));
                }
            }
        }
        return out;
    }

    @Override
    public Download open(BlobRef blob) throws IOException {
        Path p = dir.resolve(blob.name()).normalize();
        if (!p.getParent().equals(dir.normalize())) {
            throw new NoSuchFileException(blob.name());
        }
        InputStream in = Files.newInputStream(p);
        // the attributes after opening: a file replaced in between is read and recorded as the new one
        return new Download(in, etag(Files.readAttributes(p, BasicFileAttributes.class)));
    }

    private static String etag(BasicFileAttributes a) {
        return Long.toHexString(a.size()) + "-" + Long.toHexString(a.lastModifiedTime().to(TimeUnit.MICROSECONDS));
    }
}
