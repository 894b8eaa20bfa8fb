package com.altus.hub.schedule;

import static com.altus.hub.schedule.AzureSyncTestSupport.SAMPLE_BLOBS;
import static com.altus.hub.schedule.AzureSyncTestSupport.sample;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.test.AzuriteServer;
import com.altus.hub.test.HubTestBase;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The context the azure-sync tests share: the hub on Azurite (container {@value #CONTAINER}, by
 * connection string) and the Supabase fake, with an object store that can "crash"; every test
 * starts from an empty container, empty tables and a reset fake.
 */
@Import(AzureSyncTestBase.CrashableStore.class)
abstract class AzureSyncTestBase extends HubTestBase {
    static final String CONTAINER = "azure-sync-flow";
    static final String BUCKET = "schedule-data";
    /** One fake for every class on this context (closed with the JVM: the context outlives each class). */
    static final FakeSupabase supabase = new FakeSupabase();
    /** Puts left before the simulated crash; negative = no crash armed. */
    static final AtomicInteger crashAfterPuts = new AtomicInteger(-1);

    static BlobContainerClient container;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(supabase::close, "fake-supabase-stop"));
    }

    @DynamicPropertySource
    static void azure(DynamicPropertyRegistry r) {
        r.add("AZURE_STORAGE_CONNECTION_STRING", () -> AzuriteServer.get().connectionString());
        r.add("AZURE_BLOB_CONTAINER", () -> CONTAINER);
        r.add("SUPABASE_URL", supabase::baseUrl);
        r.add("SUPABASE_SERVICE_ROLE_KEY", () -> FakeSupabase.SERVICE_KEY);
        r.add("hub.azure.retry.initial-delay", () -> "PT0.01S");
    }

    /** Stands in for a process dying in the middle of a run (an Error, which no flow code catches). */
    static final class SimulatedCrash extends Error {
        SimulatedCrash() {
            super("simulated crash between two blobs");
        }
    }

    /** The real adapters, with an object store that can be made to "crash" after a number of puts. */
    @TestConfiguration
    static class CrashableStore {
        @Bean
        @Primary
        ScheduleAdapters crashableAdapters(HubSettings settings, ObjectMapper json) {
            return new ScheduleAdapters(settings, json, Duration.ofSeconds(10), 5, Duration.ofMillis(10), 4) {
                @Override
                public ObjectStore objectStore() {
                    ObjectStore real = super.objectStore();
                    return new ObjectStore() {
                        @Override
                        public String describe() {
                            return real.describe();
                        }

                        @Override
                        public void put(String path, byte[] content, String contentType) throws Exception {
                            if (crashAfterPuts.get() >= 0 && crashAfterPuts.getAndDecrement() == 0) {
                                throw new SimulatedCrash();
                            }
                            real.put(path, content, contentType);
                        }
                    };
                }
            };
        }
    }

    @BeforeEach
    void reset() {
        if (container == null) {
            container = new BlobServiceClientBuilder().connectionString(AzuriteServer.get().connectionString()).buildClient()
                    .getBlobContainerClient(CONTAINER);
            container.createIfNotExists();
        }
        for (BlobItem b : container.listBlobs()) {
            container.getBlobClient(b.getName()).delete();
        }
        AzureSyncTestSupport.resetTables(jdbc);
        supabase.reset();
        crashAfterPuts.set(-1);
    }

    JsonNode runFlow() throws Exception {
        var response = post("/api/flows/azure-sync/run", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    void uploadSamples() throws Exception {
        for (String name : SAMPLE_BLOBS) {
            upload(name, sample(name));
        }
    }

    static void upload(String name, byte[] content) {
        container.getBlobClient(name).upload(BinaryData.fromBytes(content), true);
    }
}
