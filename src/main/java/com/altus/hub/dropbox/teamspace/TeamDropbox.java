package com.altus.hub.dropbox.teamspace;

import java.io.IOException;
import java.time.Duration;

import com.altus.hub.dropbox.DropboxTree;
import com.altus.hub.dropbox.SdkDropboxTree;
import com.altus.hub.platform.config.ConfigException;
import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.platform.http.Retrier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * The Team Space: the second Dropbox credential (TEAM_DROPBOX_APP_KEY, TEAM_DROPBOX_APP_SECRET,
 * TEAM_DROPBOX_REFRESH_TOKEN) with every call rooted in the team's root namespace
 * ({@code Dropbox-API-Path-Root: {".tag": "root", "root": "<ns>"}}), the namespace being
 * TEAM_DROPBOX_ROOT_NAMESPACE_ID or else the account's root_info.root_namespace_id. Built on first
 * use, so a hub without these settings starts, and teamspace-migrate fails with a configuration
 * error that names them.
 */
@Component
public class TeamDropbox {
    private static final Logger log = LoggerFactory.getLogger(TeamDropbox.class);
    static final String VARIABLES = "TEAM_DROPBOX_APP_KEY, TEAM_DROPBOX_APP_SECRET, TEAM_DROPBOX_REFRESH_TOKEN";

    /** The Team Space as the migration writes to it. */
    public record Target(DropboxTree tree, String namespaceId, String namespaceFrom) {
    }

    private final HubSettings settings;
    private final long chunkBytes;
    private final int maxAttempts;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private volatile Target target;

    public TeamDropbox(HubSettings settings,
                       @Value("${hub.upload.dropbox-chunk-bytes:64MB}") DataSize chunk,
                       @Value("${hub.dropbox.max-attempts:6}") int maxAttempts,
                       @Value("${hub.http.connect-timeout:PT20S}") Duration connectTimeout,
                       @Value("${hub.http.read-timeout:PT60S}") Duration readTimeout) {
        this.settings = settings;
        this.chunkBytes = chunk.toBytes();
        this.maxAttempts = maxAttempts;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    public boolean configured() {
        return settings.teamDropbox.isPresent();
    }

    /** The Team Space client; throws {@link ConfigException} naming the variables when they are not set. */
    public Target target() throws IOException {
        Target t = target;
        if (t != null) {
            return t;
        }
        synchronized (this) {
            if (target == null) {
                target = connect();
            }
            return target;
        }
    }

    private Target connect() throws IOException {
        HubSettings.Credentials c = settings.teamDropbox.orElseThrow(() -> new ConfigException(VARIABLES,
                "configuration error: not set. teamspace-migrate copies the App Folder's files into the Team Space with "
                        + "this second Dropbox credential (TEAM_DROPBOX_ROOT_NAMESPACE_ID is optional)"));
        DropboxTree team = new SdkDropboxTree(c.appKey(), c.appSecret(), c.refreshToken(), settings.dropboxApiUrl,
                settings.dropboxContentUrl, settings.dropboxOauthUrl,
                new Retrier(Retrier.Policy.standard().withMaxAttempts(maxAttempts)), chunkBytes, connectTimeout, readTimeout,
                VARIABLES);
        String ns;
        String from;
        if (settings.teamDropboxRootNamespaceId.isPresent()) {
            ns = settings.teamDropboxRootNamespaceId.get();
            from = "TEAM_DROPBOX_ROOT_NAMESPACE_ID";
        } else {
            DropboxTree.Account account = team.account();
            ns = account.rootNamespaceId();
            from = "get_current_account root_info.root_namespace_id";
            if (!account.team()) {
                log.warn("the TEAM_DROPBOX_* account is not a team member: its root namespace {} is its own Dropbox", ns);
            }
        }
        log.info("Team Space: root namespace {} (from {}) at {}", ns, from, settings.dropboxApiUrl);
        return new Target(team.withRootNamespace(ns), ns, from);
    }
}
