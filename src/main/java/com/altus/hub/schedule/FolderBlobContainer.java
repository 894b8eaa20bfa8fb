package com.altus.hub.schedule;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.camel.Exchange;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.util.IOHelper;

/**
 * The blob container of the embedded default: the regular files directly in a folder
 * ({@code HUB_BLOB_DIR}, default {@code samples/azure-blobs}).
 *
 * <p>The ETag is {@code <size hex>-<mtime microseconds hex>}: listing a folder stays as cheap as
 * listing a container (nothing is read), and any rewrite of a file gives it a new ETag, as an
 * upload does in Azure. A blob's metadata lives beside it in {@code .<name>.meta} (hidden, so never
 * listed as a blob). Writes go to a temporary file renamed into place: a reader never sees half a blob.
 */
public final class FolderBlobContainer implements BlobContainer {
    private final Path dir;

    public FolderBlobContainer(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    @Override
    public String describe() {
        return "folder " + dir;
    }

    public Path dir() {
        return dir;
    }

    // ------------------------------------------------------------------ route steps

    @Override
    public ProcessorDefinition<?> list(ProcessorDefinition<?> route, String stepId) {
        return route.process(this::listStep).id(stepId);
    }

    @Override
    public ProcessorDefinition<?> get(ProcessorDefinition<?> route, String stepId) {
        return route.process(this::getStep).id(stepId);
    }

    @Override
    public ProcessorDefinition<?> put(ProcessorDefinition<?> route, String stepId) {
        return route.process(this::putStep).id(stepId);
    }

    void listStep(Exchange exchange) throws IOException {
        exchange.getMessage().setBody(list());
    }

    void getStep(Exchange exchange) throws IOException {
        String name = exchange.getMessage().getHeader(BLOB_NAME, String.class);
        Path p = resolve(name);
        InputStream in;
        try {
            in = Files.newInputStream(p);
        } catch (NoSuchFileException gone) {
            // not worth redelivering: the blob was removed since it was listed
            throw new IllegalStateException("blob " + name + " does not exist in " + describe(), gone);
        }
        // closed when the exchange is done, whatever happened to it (as the Azure component does)
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                IOHelper.close(in);
            }
        });
        // the attributes after opening: a file replaced in between is read and recorded as the new one
        exchange.getMessage().setHeader(ETAG, etag(Files.readAttributes(p, BasicFileAttributes.class)));
        exchange.getMessage().setBody(in);
    }

    @SuppressWarnings("unchecked")
    void putStep(Exchange exchange) throws IOException {
        String name = exchange.getMessage().getHeader(BLOB_NAME, String.class);
        Map<String, String> metadata = exchange.getMessage().getHeader(METADATA, Map.class);
        Object body = exchange.getMessage().getBody();
        String etag;
        if (body instanceof byte[] bytes) {
            etag = put(name, out -> out.write(bytes), metadata);
        } else if (body instanceof File file) {
            etag = put(name, out -> Files.copy(file.toPath(), out), metadata);
        } else if (body instanceof Path path) {
            etag = put(name, out -> Files.copy(path, out), metadata);
        } else {
            throw new IllegalArgumentException("cannot store a " + (body == null ? "null" : body.getClass().getName())
                    + " body as blob " + name + " (expected byte[] or File)");
        }
        exchange.getMessage().setHeader(ETAG, etag);
    }

    // ------------------------------------------------------------------ plain operations

    /** The blobs of the folder, in name order. */
    public List<ListedBlob> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "the blob folder (HUB_BLOB_DIR) does not exist");
        }
        List<ListedBlob> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                String name = p.getFileName().toString();
                if (a.isRegularFile() && !name.startsWith(".")) {
                    out.add(new ListedBlob(name, etag(a), a.size(), metadata(name)));
                }
            }
        }
        return out;
    }

    /** Writes the whole content, then renames it into place; answers the new ETag. */
    public String put(String name, ContentWriter content, Map<String, String> metadata) throws IOException {
        Path target = resolve(name);
        Files.createDirectories(dir);
        writeAtomically(metaPath(name), out -> {
            Properties p = new Properties();
            if (metadata != null) {
                p.putAll(metadata);
            }
            try (Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                p.store(w, null);
            }
        });
        writeAtomically(target, content);
        return etag(Files.readAttributes(target, BasicFileAttributes.class));
    }

    /** Writes a blob's bytes to the stream it is given. */
    @FunctionalInterface
    public interface ContentWriter {
        void write(OutputStream out) throws IOException;
    }

    private void writeAtomically(Path target, ContentWriter content) throws IOException {
        Path tmp = Files.createTempFile(dir, ".put-", ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                content.write(out);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private Map<String, String> metadata(String name) throws IOException {
        Path meta = metaPath(name);
        if (!Files.isRegularFile(meta)) {
            return Map.of();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> out = new TreeMap<>();
        p.forEach((k, v) -> out.put(k.toString(), v.toString()));
        return Map.copyOf(out);
    }

    private Path metaPath(String name) {
        return dir.resolve("." + name + ".meta");
    }

    private Path resolve(String name) throws NoSuchFileException {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("no blob name (header " + BLOB_NAME + ")");
        }
        Path p = dir.resolve(name).normalize();
        if (!dir.equals(p.getParent()) || name.startsWith(".")) {
            throw new NoSuchFileException(name, null, "not a blob name of " + describe());
        }
        return p;
    }

    private static String etag(BasicFileAttributes a) {
        return Long.toHexString(a.size()) + "-" + Long.toHexString(a.lastModifiedTime().to(TimeUnit.MICROSECONDS));
    }
}
