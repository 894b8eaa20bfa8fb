package com.altus.hub.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Port: where azure-sync reads its blobs from (an Azure container, or a local folder in the
 * embedded default). Listing returns ETags without downloading anything.
 */
public interface BlobSource {

    /** A listed blob: its name, ETag (without quotes) and size. */
    record BlobRef(String name, String etag, long size) {
    }

    /** An open download: the content as a stream and the ETag of exactly what is being read. */
    record Download(InputStream content, String etag) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            content.close();
        }
    }

    /** For logs and run stats: "azure container schedules", "folder /path" (never a secret). */
    String describe();

    List<BlobRef> list() throws IOException;

    Download open(BlobRef blob) throws IOException;

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
