package com.altus.hub.export;

import java.time.Duration;
import java.util.Optional;

import com.altus.hub.platform.config.ConfigException;
import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.schedule.BlobContainer;
import com.altus.hub.schedule.BlobContainers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * maidcentral-export's settings (CONTRACT sections 3 and 12): MaidCentral's base URL and password
 * grant (HubSettings), the target container {@code hub.export.container} (default: azure-sync's
 * container, AZURE_BLOB_CONTAINER or the SAS URL's; as folders, a folder path, default
 * HUB_BLOB_DIR), {@code hub.export.rolling-window-days} (7) and {@code hub.export.interval-minutes}
 * (15, the schedule's cron). Without MAIDCENTRAL_BASE_URL the exporter is disabled: its schedule
 * does not fire it and a run fails at its first step saying so.
 */
@Component("maidCentralExportSettings")
public class ExportSettings {
    private static final Logger log = LoggerFactory.getLogger(ExportSettings.class);

    private final Optional<HubSettings.MaidCentral> maidCentral;
    private final BlobContainer target;
    private final int rollingWindowDays;
    private final Duration readTimeout;

    public ExportSettings(HubSettings settings, BlobContainers containers,
                          @Value("${hub.export.container:}") String container,
                          @Value("${hub.export.rolling-window-days:7}") int rollingWindowDays,
                          @Value("${hub.export.interval-minutes:15}") int intervalMinutes,
                          @Value("${hub.http.read-timeout:PT60S}") Duration readTimeout) {
        if (rollingWindowDays < 1 || rollingWindowDays > 366) {
            throw new ConfigException("hub.export.rolling-window-days", "must be between 1 and 366, got " + rollingWindowDays);
        }
        if (intervalMinutes < 1 || intervalMinutes > 59) {
            throw new ConfigException("hub.export.interval-minutes",
                    "must be between 1 and 59 (the schedule fires at minutes 0, n, 2n... of every hour), got " + intervalMinutes);
        }
        this.maidCentral = settings.maidCentral;
        this.target = containers.named(container.isBlank() ? Optional.empty() : Optional.of(container.trim()));
        this.rollingWindowDays = rollingWindowDays;
        this.readTimeout = readTimeout;
        if (maidCentral.isEmpty()) {
            log.info("maidcentral-export is disabled: {}", disabledReason());
        }
    }

    /** Whether MaidCentral is configured; the schedule route asks this before it fires the flow. */
    public boolean enabled() {
        return maidCentral.isPresent();
    }

    public String disabledReason() {
        return "MAIDCENTRAL_BASE_URL is not set (with MAIDCENTRAL_USERNAME and MAIDCENTRAL_PASSWORD), so there is no "
                + "MaidCentral to export from";
    }

    public Optional<HubSettings.MaidCentral> maidCentral() {
        return maidCentral;
    }

    public BlobContainer target() {
        return target;
    }

    public int rollingWindowDays() {
        return rollingWindowDays;
    }

    public Duration readTimeout() {
        return readTimeout;
    }
}
