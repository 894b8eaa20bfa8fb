package com.altus.hub.schedule;

import java.io.File;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import com.altus.hub.platform.http.TransientFailure;
import com.altus.hub.platform.run.FlowAbortedException;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlobStorageException;
import org.apache.camel.Exchange;
import org.apache.camel.component.azure.storage.blob.BlobConstants;
import org.apache.camel.model.ProcessorDefinition;

/**
 * A blob container on Azure Blob Storage, as steps on the {@code azure-storage-blob} component with
 * the hub's own {@code BlobServiceClient} (bound in the registry by {@link BlobContainers}; the
 * component would otherwise build {@code *.blob.core.windows.net} URLs and reach neither Azurite
 * nor a SAS URL's host).
 *
 * <p>Failures are told apart right after the component's step: a 403 (expired SAS, wrong key, a SAS
 * without write permission) is a {@link FlowAbortedException} that says why, since every other blob
 * would fail the same way; 408, 429, 5xx and I/O errors (after the SDK's own retries) are a
 * {@link TransientFailure}, which the dead-letter channel redelivers; anything else is permanent.
 */
public final class AzureBlobContainer implements BlobContainer {
    /** Exchange property: the file being uploaded (the body is a stream of it while the upload runs). */
    private static final String UPLOAD_FILE = "HubBlobUploadFile";
    private final AzureBlobConnection connection;
    private final String container;
    private final String endpoint;

    AzureBlobContainer(AzureBlobConnection connection, String container, String clientBean) {
        this.connection = connection;
        this.container = container;
        this.endpoint = "azure-storage-blob:" + connection.account() + "/" + container + "?serviceClient=#" + clientBean;
    }

    @Override
    public String describe() {
        return "azure container " + connection.account() + "/" + container;
    }

    public String container() {
        return container;
    }

    @Override
    public ProcessorDefinition<?> list(ProcessorDefinition<?> route, String stepId) {
        return route.process(this::listOptions).id(stepId + "-options")
                .doTry().id(stepId + "-try")
                    // listBlobs answers names, sizes, ETags and metadata of the whole container, paging included
                    .to(endpoint + "&operation=listBlobs").id(stepId)
                .doCatch(Exception.class).id(stepId + "-catch")
                    .process(this::failed).id(stepId + "-failed")
                .end()
                .process(this::listed).id(stepId + "-refs");
    }

    @Override
    public ProcessorDefinition<?> get(ProcessorDefinition<?> route, String stepId) {
        return route.doTry().id(stepId + "-try")
                    // getBlob answers a BlobInputStream: the route must not cache streams, so a big
                    // users.json is streamed into its parser instead of being spooled first
                    .to(endpoint + "&operation=getBlob").id(stepId)
                .doCatch(Exception.class).id(stepId + "-catch")
                    .process(this::failed).id(stepId + "-failed")
                .end();
    }

    @Override
    public ProcessorDefinition<?> put(ProcessorDefinition<?> route, String stepId) {
        return route.process(AzureBlobContainer::uploadHeaders).id(stepId + "-headers")
                .doTry().id(stepId + "-try")
                    // inside the try: a redelivery of the upload opens the file again
                    .process(AzureBlobContainer::uploadBody).id(stepId + "-open")
                    .to(endpoint + "&operation=uploadBlockBlob").id(stepId)
                .doCatch(Exception.class).id(stepId + "-catch")
                    .process(this::failed).id(stepId + "-failed")
                .end();
    }

    void listOptions(Exchange exchange) {
        exchange.getMessage().setBody(null);
        // the component builds the listing's options itself and takes the details from this header
        exchange.getMessage().setHeader(BlobConstants.BLOB_LIST_DETAILS, new BlobListDetails().setRetrieveMetadata(true));
    }

    /** The component's BlobItems as {@link ListedBlob}s (directories and deleted blobs left out). */
    void listed(Exchange exchange) {
        List<?> items = exchange.getMessage().getBody(List.class);
        exchange.getMessage().removeHeader(BlobConstants.BLOB_LIST_DETAILS);
        List<ListedBlob> out = new ArrayList<>();
        if (items != null) {
            for (Object o : items) {
                BlobItem item = (BlobItem) o;
                if (Boolean.TRUE.equals(item.isPrefix()) || Boolean.TRUE.equals(item.isDeleted())) {
                    continue;
                }
                var props = item.getProperties();
                long size = props == null || props.getContentLength() == null ? -1 : props.getContentLength();
                String etag = props == null ? null : BlobContainer.normalizeEtag(props.getETag());
                Map<String, String> metadata = item.getMetadata() == null ? Map.of() : Map.copyOf(item.getMetadata());
                out.add(new ListedBlob(item.getName(), etag, size, metadata));
            }
        }
        exchange.getMessage().setBody(out);
    }

    static void uploadHeaders(Exchange exchange) {
        exchange.getMessage().setHeader(BlobConstants.BLOB_HTTP_HEADERS, new BlobHttpHeaders().setContentType("application/json"));
        Object body = exchange.getMessage().getBody();
        if (body instanceof File file) {
            exchange.setProperty(UPLOAD_FILE, file);
        } else {
            exchange.removeProperty(UPLOAD_FILE);
        }
    }

    /**
     * A file body is sent from a stream whose mark is a seek (the component would wrap it in a
     * BufferedInputStream, which the SDK's mark makes hold the whole file in memory); byte[] bodies
     * go as they are.
     */
    static void uploadBody(Exchange exchange) throws java.io.IOException {
        File file = exchange.getProperty(UPLOAD_FILE, File.class);
        if (file != null) {
            exchange.getMessage().setHeader(BlobConstants.BLOB_UPLOAD_SIZE, file.length());
            exchange.getMessage().setBody(new FileUploadStream(file));
        }
    }

    /** The doCatch of every step: turns the component's failure into what the flow must do with it. */
    void failed(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String blob = exchange.getMessage().getHeader(BLOB_NAME, String.class);
        String what = blob == null ? "listing " + describe() : "blob " + blob + " in " + describe();
        for (Throwable c = caught; c != null; c = c.getCause()) {
            if (c instanceof BlobStorageException bse) {
                int status = bse.getStatusCode();
                String code = bse.getErrorCode() == null ? String.valueOf(status) : bse.getErrorCode().toString();
                if (status == 403) {
                    throw new FlowAbortedException(accessDeniedMessage(code));
                }
                if (status == 404) {
                    throw new IllegalStateException(what + " does not exist (HTTP 404 " + code + ")");
                }
                if (status == 408 || status == 429 || status >= 500) {
                    throw new TransientFailure(what + " failed: HTTP " + status + " " + code, status, null, bse);
                }
                throw new IllegalStateException(what + " failed: HTTP " + status + " " + code);
            }
            if (c instanceof IOException || c instanceof TimeoutException) {
                throw new TransientFailure(what + " failed: " + c, 0, null, caught);
            }
        }
        if (caught instanceof RuntimeException re) {
            throw re;
        }
        throw new IllegalStateException(what + " failed: " + caught, caught);
    }

    private String accessDeniedMessage(String code) {
        if (connection.sasExpiry().isPresent()) {
            Instant se = connection.sasExpiry().get();
            if (!se.isAfter(Instant.now())) {
                return "the AZURE_BLOB_SAS_URL token expired at " + se + " (Azure answered 403 " + code
                        + "): issue a new container SAS and update AZURE_BLOB_SAS_URL";
            }
            return "Azure refused the AZURE_BLOB_SAS_URL token for " + describe() + " (403 " + code + "); it expires at " + se
                    + ", so check its permissions (read and list; create and write for the exporter) and that it was not revoked";
        }
        return "Azure refused access to " + describe() + " (403 " + code + "): check AZURE_STORAGE_CONNECTION_STRING";
    }
}
