package com.altus.hub.schedule;

import java.util.Optional;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * Camel wiring of azure-sync's Azure side: listing the container and downloading one blob
 * through camel-azure-storage-blob with the hub's own {@code BlobServiceClient} (connection
 * string or SAS URL). Only present when an Azure source is configured. The orchestration
 * (change detection, per-blob transactions) is {@link AzureSyncFlow}.
 */
@Component
public class AzureSyncRoutes extends RouteBuilder {
    static final String LIST = "direct:azure-sync-list";
    static final String DOWNLOAD = "direct:azure-sync-download";
    static final String CLIENT_BEAN = "azureSyncBlobServiceClient";

    private final Optional<AzureBlobConnection> azure;

    public AzureSyncRoutes(ScheduleAdapters adapters) {
        this.azure = adapters.azure();
    }

    @Override
    public void configure() {
        if (azure.isEmpty()) {
            return;
        }
        AzureBlobConnection c = azure.get();
        getContext().getRegistry().bind(CLIENT_BEAN, c.client());
        String base = "azure-storage-blob:" + c.account() + "/" + c.container() + "?serviceClient=#" + CLIENT_BEAN;

        // listBlobs answers names, sizes and ETags of the whole container, paging included
        from(LIST).routeId("azure-sync-list")
                .to(base + "&operation=listBlobs");

        // getBlob answers a BlobInputStream: no stream caching, so a big users.json is streamed into
        // the parser instead of being spooled first
        from(DOWNLOAD).routeId("azure-sync-download").noStreamCaching()
                .to(base + "&operation=getBlob");
    }
}
