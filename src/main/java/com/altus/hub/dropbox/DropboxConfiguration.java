package com.altus.hub.dropbox;

import java.io.IOException;
import java.time.Duration;

import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.platform.http.Retrier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/** Chooses the Dropbox store: the SDK with DROPBOX_* credentials, else the local folder store. */
@Configuration(proxyBeanMethods = false)
public class DropboxConfiguration {
    private static final Logger log = LoggerFactory.getLogger(DropboxConfiguration.class);

    @Bean
    public DropboxStore dropboxStore(HubSettings settings,
                                     @Value("${hub.upload.dropbox-chunk-bytes:64MB}") DataSize chunk,
                                     @Value("${hub.dropbox.max-attempts:6}") int maxAttempts,
                                     @Value("${hub.dropbox.read-timeout:${hub.http.read-timeout:PT60S}}") Duration readTimeout) throws IOException {
        if (settings.dropbox.isPresent()) {
            HubSettings.Credentials c = settings.dropbox.get();
            log.info("Dropbox store: Dropbox API at {} / {} (app key {})", settings.dropboxApiUrl, settings.dropboxContentUrl,
                    c.appKey());
            return new SdkDropboxStore(c.appKey(), c.appSecret(), c.refreshToken(), settings.dropboxApiUrl,
                    settings.dropboxContentUrl, settings.dropboxOauthUrl,
                    new Retrier(Retrier.Policy.standard().withMaxAttempts(maxAttempts)), chunk.toBytes(), readTimeout);
        }
        FolderDropboxStore store = new FolderDropboxStore(settings.dataDir.resolve("dropbox"));
        log.info("Dropbox store: local folder {} (set DROPBOX_APP_KEY, DROPBOX_APP_SECRET, DROPBOX_REFRESH_TOKEN for Dropbox)",
                store.root());
        return store;
    }

    @Bean
    public FolderMap folderMap(HubSettings settings) {
        return new FolderMap(settings.dropboxRoot);
    }
}
