package com.altus.hub.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobStorageException;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.azure.storage.blob.BlobConstants;

/**
 * Blob source on Azure Blob Storage through camel-azure-storage-blob: the routes
 * {@code azure-sync-list} and {@code azure-sync-download} of {@link AzureSyncRoutes}.
 * A 403 becomes {@link BlobAccessDeniedException} (the run fails at once, no retries), with a
 * message that says when the SAS expired when that is the cause.
 */
public final class AzureBlobSource implements BlobSource {
    private final ProducerTemplate producer;
    private final AzureBlobConnection connection;

    public AzureBlobSource(ProducerTemplate producer, AzureBlobConnection connection) {
        this.producer = producer;
        this.connection = connection;
    }

    @Override
    public String describe() {
        return "azure container " + connection.account() + "/" + connection.container();
    }

    @Override
    public List<BlobRef> list() throws IOException {
        Exchange ex = send(AzureSyncRoutes.LIST, null);
        List<?> items = ex.getMessage().getBody(List.class);
        List<BlobRef> out = new ArrayList<>();
        if (items != null) {
            for (Object o : items) {
                BlobItem item = (BlobItem) o;
                if (Boolean.TRUE.equals(item.isPrefix()) || Boolean.TRUE.equals(item.isDeleted())) {
                    continue;
                }
                long size = item.getProperties() == null || item.getProperties().getContentLength() == null
                        ? -1 : item.getProperties().getContentLength();
                String etag = item.getProperties() == null ? null : BlobSource.normalizeEtag(item.getProperties().getETag());
                out.add(new BlobRef(item.getName(), etag, size));
            }
        }
        return out;
    }

    @Override
    public Download open(BlobRef blob) throws IOException {
        Exchange ex = send(AzureSyncRoutes.DOWNLOAD, blob.name());
        InputStream in = ex.getMessage().getBody(InputStream.class);
        if (in == null) {
            throw new IOException("azure answered no content for blob " + blob.name());
        }
        String etag = BlobSource.normalizeEtag(ex.getMessage().getHeader(BlobConstants.E_TAG, String.class));
        return new Download(in, etag != null ? etag : blob.etag());
    }

    private Exchange send(String uri, String blobName) throws IOException {
        Exchange ex = producer.send(uri, e -> {
            if (blobName != null) {
                e.getMessage().setHeader(BlobConstants.BLOB_NAME, blobName);
            }
        });
        Exception failure = ex.getException();
        if (failure != null) {
            throw translate(failure, blobName);
        }
        return ex;
    }

    private RuntimeException translate(Exception failure, String blobName) throws IOException {
        Throwable t = failure instanceof CamelExecutionException && failure.getCause() != null ? failure.getCause() : failure;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BlobStorageException bse) {
                if (bse.getStatusCode() == 403) {
                    throw new BlobAccessDeniedException(accessDeniedMessage(bse), null);
                }
                String what = blobName == null ? "listing " + describe() : "blob " + blobName;
                throw new IOException(what + " failed: HTTP " + bse.getStatusCode() + " " + bse.getErrorCode());
            }
            if (c instanceof IOException io) {
                throw io;
            }
        }
        return t instanceof RuntimeException re ? re : new IllegalStateException(t.getMessage(), t);
    }

    private String accessDeniedMessage(BlobStorageException e) {
        String code = e.getErrorCode() == null ? "403" : e.getErrorCode().toString();
        if (connection.sasExpiry().isPresent()) {
            Instant se = connection.sasExpiry().get();
            if (!se.isAfter(Instant.now())) {
                return "the AZURE_BLOB_SAS_URL token expired at " + se + " (Azure answered 403 " + code
                        + "): issue a new container SAS and update AZURE_BLOB_SAS_URL";
            }
            return "Azure refused the AZURE_BLOB_SAS_URL token (403 " + code + "); it expires at " + se
                    + ", so check its permissions (read and list) and that it was not revoked";
        }
        return "Azure refused access to " + describe() + " (403 " + code + "): check AZURE_STORAGE_CONNECTION_STRING";
    }
}
