package com.altus.hub.schedule;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.platform.http.Retrier;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ProducerTemplate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Chooses azure-sync's adapters from the configuration (CONTRACT section 3): Azure when
 * AZURE_STORAGE_CONNECTION_STRING or AZURE_BLOB_SAS_URL is set, else the folder HUB_BLOB_DIR;
 * Supabase Storage and GoTrue when SUPABASE_URL is set, else {@code $HUB_DATA_DIR/storage/<bucket>}
 * and no auth provisioning.
 */
@Component
public class ScheduleAdapters {
    private final Optional<AzureBlobConnection> azure;
    private final ObjectProvider<ProducerTemplate> producer;
    private final BlobSource folderSource;
    private final ObjectStore objectStore;
    private final AuthDirectory authDirectory;
    private volatile BlobSource azureSource;

    public ScheduleAdapters(HubSettings settings, ObjectProvider<ProducerTemplate> producer, ObjectMapper json,
                            @Value("${hub.azure.http-timeout:PT30S}") Duration httpTimeout,
                            @Value("${hub.azure.retry.max-attempts:5}") int maxAttempts,
                            @Value("${hub.azure.retry.initial-delay:PT0.5S}") Duration initialDelay) {
        this.azure = AzureBlobConnection.from(settings);
        this.producer = producer;
        this.folderSource = azure.isPresent() ? null : new FolderBlobSource(settings.blobDir);
        Retrier retrier = new Retrier(Retrier.Policy.standard().withMaxAttempts(maxAttempts).withInitialDelay(initialDelay));
        if (settings.supabaseUrl.isPresent()) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            String key = settings.supabaseServiceRoleKey.orElseThrow();
            this.objectStore = new SupabaseObjectStore(http, settings.supabaseUrl.get(), settings.supabaseBucket, key, retrier, httpTimeout);
            this.authDirectory = new SupabaseAuthDirectory(http, settings.supabaseUrl.get(), key, retrier, json, httpTimeout);
        } else {
            this.objectStore = new FolderObjectStore(settings.dataDir.resolve("storage").resolve(settings.supabaseBucket));
            this.authDirectory = new NoAuthDirectory();
        }
    }

    public Optional<AzureBlobConnection> azure() {
        return azure;
    }

    public BlobSource blobSource() {
        if (azure.isEmpty()) {
            return folderSource;
        }
        if (azureSource == null) {
            // the producer is looked up on first use: the Camel context is up by the time a flow runs
            azureSource = new AzureBlobSource(producer.getObject(), azure.get());
        }
        return azureSource;
    }

    public ObjectStore objectStore() {
        return objectStore;
    }

    public AuthDirectory authDirectory() {
        return authDirectory;
    }

    /** For tests and the embedded default's docs: where the folder store writes. */
    public Optional<Path> localStorageRoot() {
        return objectStore instanceof FolderObjectStore f ? Optional.of(f.root()) : Optional.empty();
    }
}
