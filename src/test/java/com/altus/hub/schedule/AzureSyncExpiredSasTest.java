package com.altus.hub.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;

import com.altus.hub.test.AzuriteServer;
import com.altus.hub.test.HubTestBase;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * azure-sync from a container SAS URL that expired: the run fails at once, saying when the SAS
 * expired, as a failed exchange of route azure-sync (JMX ExchangesFailed); no blob unit runs and
 * nothing is dead-lettered.
 */
class AzureSyncExpiredSasTest extends HubTestBase {
    private static final OffsetDateTime EXPIRED = OffsetDateTime.now(ZoneOffset.UTC).minusHours(2).truncatedTo(ChronoUnit.SECONDS);

    @Autowired
    CamelContext camel;

    @DynamicPropertySource
    static void expiredSas(DynamicPropertyRegistry r) {
        r.add("AZURE_BLOB_SAS_URL", () -> {
            AzuriteServer azurite = AzuriteServer.get();
            BlobContainerClient container = new BlobServiceClientBuilder().connectionString(azurite.connectionString()).buildClient()
                    .getBlobContainerClient("azure-sync-expired");
            container.createIfNotExists();
            String sas = container.generateSas(new BlobServiceSasSignatureValues(EXPIRED,
                    new BlobContainerSasPermission().setReadPermission(true).setListPermission(true))
                    .setStartTime(EXPIRED.minusHours(1)));
            return azurite.blobEndpoint() + "/azure-sync-expired?" + sas;
        });
    }

    @Test
    void anExpiredSasFailsTheRunAtOnceAndIsAFailedExchangeOfTheFlowRoute() throws Exception {
        Map<String, Long> sync = counters("azure-sync");
        Map<String, Long> blob = counters("azure-sync-blob");
        long letters = jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE flow = 'azure-sync'", Long.class);

        var response = post("/api/flows/azure-sync/run", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode run = json(response);
        assertThat(run.get("status").asText()).isEqualTo("failed");
        assertThat(run.get("error").asText()).contains("AZURE_BLOB_SAS_URL token expired at " + EXPIRED.toInstant())
                .doesNotContain("sig=");

        assertThat(AzureSyncRoutesTest.delta(sync, counters("azure-sync"))).containsEntry("ExchangesTotal", 1L)
                .containsEntry("ExchangesFailed", 1L).containsEntry("ExchangesCompleted", 0L);
        assertThat(AzureSyncRoutesTest.delta(blob, counters("azure-sync-blob"))).containsEntry("ExchangesTotal", 0L);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE flow = 'azure-sync'", Long.class)).isEqualTo(letters);
    }

    private Map<String, Long> counters(String routeId) throws Exception {
        ObjectName name = new ObjectName("org.apache.camel:context=" + camel.getManagementName() + ",type=routes,name=\"" + routeId + "\"");
        Map<String, Long> out = new LinkedHashMap<>();
        for (String attr : List.of("ExchangesTotal", "ExchangesCompleted", "ExchangesFailed")) {
            out.put(attr, ((Number) ManagementFactory.getPlatformMBeanServer().getAttribute(name, attr)).longValue());
        }
        return out;
    }
}
