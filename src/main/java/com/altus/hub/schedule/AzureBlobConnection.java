package com.altus.hub.schedule;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;

import com.altus.hub.platform.config.HubSettings;
import com.azure.core.util.HttpClientOptions;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;

/**
 * The Azure side of the blob source, built from AZURE_STORAGE_CONNECTION_STRING +
 * AZURE_BLOB_CONTAINER or from a container AZURE_BLOB_SAS_URL: the SDK client handed to the
 * camel-azure-storage-blob endpoints (which would otherwise build *.blob.core.windows.net URLs
 * themselves and could reach neither Azurite nor a SAS URL's host), the container, and the SAS
 * expiry for error messages. The client's connect, read, write and response timeouts are
 * {@code hub.http.read-timeout}: a download whose body stops arriving fails (and the SDK retries it)
 * instead of hanging.
 */
public record AzureBlobConnection(BlobServiceClient client, String account, String container, Optional<Instant> sasExpiry) {

    /** Default timeout of {@link #fromSasUrl(URI)}. */
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** Empty when neither Azure variable is set (the folder source is used then). */
    public static Optional<AzureBlobConnection> from(HubSettings settings, Duration timeout) {
        if (settings.azureConnectionString.isPresent()) {
            BlobServiceClient client = new BlobServiceClientBuilder().connectionString(settings.azureConnectionString.get())
                    .clientOptions(timeouts(timeout)).buildClient();
            return Optional.of(new AzureBlobConnection(client, client.getAccountName(), settings.azureContainer.orElseThrow(),
                    Optional.empty()));
        }
        if (settings.azureSasUrl.isPresent()) {
            return Optional.of(fromSasUrl(settings.azureSasUrl.get(), timeout));
        }
        return Optional.empty();
    }

    private static HttpClientOptions timeouts(Duration timeout) {
        return new HttpClientOptions().setConnectTimeout(timeout).setReadTimeout(timeout).setWriteTimeout(timeout)
                .setResponseTimeout(timeout);
    }

    /** A container SAS URL: {@code https://acct.blob.core.windows.net/container?sv=..&se=..&sig=..}
     * (Azurite: {@code http://127.0.0.1:port/devstoreaccount1/container?...}). */
    static AzureBlobConnection fromSasUrl(URI url) {
        return fromSasUrl(url, DEFAULT_TIMEOUT);
    }

    static AzureBlobConnection fromSasUrl(URI url, Duration timeout) {
        String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", "");
        int slash = path.lastIndexOf('/');
        String container = path.substring(slash + 1);
        String servicePath = path.substring(0, Math.max(slash, 0));
        String endpoint = url.getScheme() + "://" + url.getRawAuthority() + servicePath;
        String account = servicePath.isEmpty() ? url.getHost().split("\\.")[0] : servicePath.substring(servicePath.lastIndexOf('/') + 1);
        BlobServiceClient client = new BlobServiceClientBuilder().endpoint(endpoint).sasToken(url.getRawQuery())
                .clientOptions(timeouts(timeout)).buildClient();
        return new AzureBlobConnection(client, account, container, sasExpiry(url.getRawQuery()));
    }

    /** The SAS's {@code se} (signed expiry), which is not secret (unlike {@code sig}). */
    static Optional<Instant> sasExpiry(String rawQuery) {
        if (rawQuery == null) {
            return Optional.empty();
        }
        for (String kv : rawQuery.split("&")) {
            if (kv.startsWith("se=")) {
                String v = URLDecoder.decode(kv.substring(3), StandardCharsets.UTF_8);
                try {
                    return Optional.of(OffsetDateTime.parse(v).toInstant());
                } catch (java.time.format.DateTimeParseException e) {
                    try {
                        return Optional.of(java.time.LocalDate.parse(v).atStartOfDay().toInstant(java.time.ZoneOffset.UTC));
                    } catch (java.time.format.DateTimeParseException notADate) {
                        return Optional.empty();
                    }
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "AzureBlobConnection[" + account + "/" + container + "]";
    }
}
