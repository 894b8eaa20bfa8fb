package com.altus.hub.schedule;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.platform.http.Retrier;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.annotation.PreDestroy;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Chooses azure-sync's Supabase adapters from the configuration (CONTRACT section 3): Storage and
 * GoTrue when SUPABASE_URL is set, else {@code $HUB_DATA_DIR/storage/<bucket>} and no auth
 * provisioning. (The blob side is {@link BlobContainers}, shared with the exporter.) Every Supabase
 * call has the connect and read timeout {@code hub.http.read-timeout}.
 */
@Component
public class ScheduleAdapters {
    private final ObjectStore objectStore;
    private final AuthDirectory authDirectory;
    private final SupabaseHttp http;

    public ScheduleAdapters(HubSettings settings, ObjectMapper json,
                            @Value("${hub.http.read-timeout:PT60S}") Duration readTimeout,
                            @Value("${hub.azure.retry.max-attempts:5}") int maxAttempts,
                            @Value("${hub.azure.retry.initial-delay:PT0.5S}") Duration initialDelay,
                            @Value("${hub.azure.auth.concurrency:4}") int authConcurrency) {
        Retrier retrier = new Retrier(Retrier.Policy.standard().withMaxAttempts(maxAttempts).withInitialDelay(initialDelay));
        if (settings.supabaseUrl.isPresent()) {
            // one pooled client: the auth calls run concurrently, storage puts one at a time
            this.http = new SupabaseHttp(readTimeout, Math.max(1, authConcurrency) + 2);
            String key = settings.supabaseServiceRoleKey.orElseThrow();
            this.objectStore = new SupabaseObjectStore(http, settings.supabaseUrl.get(), settings.supabaseBucket, key, retrier);
            this.authDirectory = new SupabaseAuthDirectory(http, settings.supabaseUrl.get(), key, retrier, json);
        } else {
            this.http = null;
            this.objectStore = new FolderObjectStore(settings.dataDir.resolve("storage").resolve(settings.supabaseBucket));
            this.authDirectory = new NoAuthDirectory();
        }
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

    @PreDestroy
    void close() throws java.io.IOException {
        if (http != null) {
            http.close();
        }
    }
}
