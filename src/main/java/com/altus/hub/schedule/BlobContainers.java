package com.altus.hub.schedule;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import com.altus.hub.platform.config.HubSettings;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The one place that turns CONTRACT section 3's blob settings into containers: Azure when
 * AZURE_STORAGE_CONNECTION_STRING (+ AZURE_BLOB_CONTAINER) or AZURE_BLOB_SAS_URL is set, with one
 * {@code BlobServiceClient} for the whole hub (bound in Camel's registry as {@value #CLIENT_BEAN});
 * else folders. azure-sync reads {@link #source()}; maidcentral-export writes
 * {@link #named(Optional)}.
 */
@Component
public class BlobContainers {
    public static final String CLIENT_BEAN = "hubBlobServiceClient";

    private final Optional<AzureBlobConnection> azure;
    private final Path blobDir;
    private final BlobContainer source;

    public BlobContainers(HubSettings settings, CamelContext camel,
                          @Value("${hub.http.read-timeout:PT60S}") Duration readTimeout) {
        this.azure = AzureBlobConnection.from(settings, readTimeout);
        this.blobDir = settings.blobDir;
        azure.ifPresent(c -> camel.getRegistry().bind(CLIENT_BEAN, c.client()));
        this.source = named(Optional.empty());
    }

    /** azure-sync's source: the configured container (AZURE_BLOB_CONTAINER, or the SAS URL's), else HUB_BLOB_DIR. */
    public BlobContainer source() {
        return source;
    }

    /**
     * A container by name: on Azure the container of that name in the same account (empty: the
     * configured one); as folders, the folder of that path (empty: HUB_BLOB_DIR).
     */
    public BlobContainer named(Optional<String> name) {
        if (azure.isPresent()) {
            return new AzureBlobContainer(azure.get(), name.orElse(azure.get().container()), CLIENT_BEAN);
        }
        return new FolderBlobContainer(name.map(Path::of).orElse(blobDir));
    }

    public boolean azure() {
        return azure.isPresent();
    }
}
