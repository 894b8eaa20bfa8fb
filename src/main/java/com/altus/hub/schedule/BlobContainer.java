package com.altus.hub.schedule;

import java.util.Map;

import org.apache.camel.component.azure.storage.blob.BlobConstants;
import org.apache.camel.model.ProcessorDefinition;

/**
 * Port: a blob container, Azure ({@link AzureBlobContainer}, through the
 * {@code azure-storage-blob} component) or a local folder ({@link FolderBlobContainer}, the
 * embedded default). azure-sync reads from one, maidcentral-export writes to one; both get theirs
 * from {@link BlobContainers}, so there is one adapter and one set of settings.
 *
 * <p>The operations are route steps, not calls: each appends its steps (with stable ids) to the
 * route that uses it, so Hawtio shows the listing, the download or the upload as a step of that
 * route, with its own statistics, and no step hides a {@code ProducerTemplate}.
 */
public interface BlobContainer {
    /** Header naming the blob that {@link #get} reads or {@link #put} writes. */
    String BLOB_NAME = BlobConstants.BLOB_NAME;
    /** Header set by {@link #get} and {@link #put}: the blob's ETag as the container reports it. */
    String ETAG = BlobConstants.E_TAG;
    /** Header for {@link #put}: the blob's metadata, a {@code Map<String, String>} (keys are lower case). */
    String METADATA = BlobConstants.METADATA;

    /** A blob to work on: name, ETag (without quotes) and size. The JSON body of azure-sync-blob. */
    record BlobRef(String name, String etag, long size) {
    }

    /** A blob as listed: its reference and its metadata (never null). */
    record ListedBlob(String name, String etag, long size, Map<String, String> metadata) {
        public BlobRef ref() {
            return new BlobRef(name, etag, size);
        }
    }

    /** For logs and run stats: "azure container acct/schedules", "folder /path" (never a secret). */
    String describe();

    /** Appends the listing: the body becomes a {@code List<ListedBlob>}; nothing is downloaded. */
    ProcessorDefinition<?> list(ProcessorDefinition<?> route, String stepId);

    /**
     * Appends the download of the blob named by header {@link #BLOB_NAME}: the body becomes its
     * content as an InputStream (not cached: read it in the next step), header {@link #ETAG} the ETag
     * of exactly what is read. A 403 throws {@link com.altus.hub.platform.run.FlowAbortedException}.
     */
    ProcessorDefinition<?> get(ProcessorDefinition<?> route, String stepId);

    /**
     * Appends the upload of the body (a {@code byte[]} or a {@code java.io.File}) to the blob named by
     * header {@link #BLOB_NAME}, replacing it, with the metadata of header {@link #METADATA} and
     * content type {@code application/json}. A 403 throws
     * {@link com.altus.hub.platform.run.FlowAbortedException}.
     */
    ProcessorDefinition<?> put(ProcessorDefinition<?> route, String stepId);

    /** Strips the quotes Azure puts around ETags in some answers and not in others. */
    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e;
    }
}
