package com.altus.hub.test;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import org.junit.jupiter.api.Test;

/** The suite's Azurite is real: a blob written through the Azure SDK reads back with an ETag. */
class AzuriteServerTest {

    @Test
    void azuriteServesBlobs() {
        AzuriteServer azurite = AzuriteServer.get();
        BlobContainerClient container = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
                .buildClient().getBlobContainerClient("infra-check");
        container.createIfNotExists();
        container.getBlobClient("hello.json").upload(BinaryData.fromString("{\"hello\":1}"), true);
        var props = container.getBlobClient("hello.json").getProperties();
        assertThat(props.getETag()).isNotBlank();
        assertThat(container.getBlobClient("hello.json").downloadContent().toString()).isEqualTo("{\"hello\":1}");
        assertThat(azurite.alive()).isTrue();
    }
}
