package com.altus.hub.dropbox;

import java.time.Duration;

import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.platform.http.Retrier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/**
 * The {@link DropboxTree} of the App Folder (drift detector, Team Space source): Dropbox through
 * the SDK with the DROPBOX_* credential, else the local folder of the embedded default store.
 */
@Configuration(proxyBeanMethods = false)
public class DropboxTreeConfiguration {

    @Bean
    public DropboxTree dropboxTree(HubSettings settings, DropboxStore store,
                                   @Value("${hub.upload.dropbox-chunk-bytes:64MB}") DataSize chunk,
                                   @Value("${hub.dropbox.max-attempts:6}") int maxAttempts,
                                   @Value("${hub.http.connect-timeout:PT20S}") Duration connectTimeout,
                                   @Value("${hub.http.read-timeout:PT60S}") Duration readTimeout) {
        if (store instanceof FolderDropboxStore folder) {
            return new FolderDropboxTree(folder);
        }
        HubSettings.Credentials c = settings.dropbox.orElseThrow(() -> new IllegalStateException(
                "the Dropbox store is not the folder store, but DROPBOX_APP_KEY is not set"));
        return new SdkDropboxTree(c.appKey(), c.appSecret(), c.refreshToken(), settings.dropboxApiUrl,
                settings.dropboxContentUrl, settings.dropboxOauthUrl,
                new Retrier(Retrier.Policy.standard().withMaxAttempts(maxAttempts)), chunk.toBytes(), connectTimeout,
                readTimeout, "DROPBOX_APP_KEY, DROPBOX_APP_SECRET, DROPBOX_REFRESH_TOKEN");
    }
}
