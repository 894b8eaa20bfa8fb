package com.altus.hub.legal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.altus.hub.platform.config.HubSettings;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/**
 * The legal module's settings (hub.legal.*) and folders: {@code $HUB_DATA_DIR/legal/inbox} (with
 * done/ and failed/) for dropped workbooks, {@code $HUB_DATA_DIR/legal/uploads} for uploads being
 * imported. The flow only imports files under {@code $HUB_DATA_DIR/legal}.
 */
@Configuration(proxyBeanMethods = false)
public class LegalConfiguration {

    /** The legal module's folders under the data directory. */
    public record Folders(Path base, Path inbox, Path uploads) {
        public Path done() {
            return inbox.resolve("done");
        }

        public Path failed() {
            return inbox.resolve("failed");
        }
    }

    @Bean
    public Folders legalFolders(HubSettings settings) throws IOException {
        Path base = settings.dataDir.resolve("legal").toAbsolutePath().normalize();
        Folders f = new Folders(base, base.resolve("inbox"), base.resolve("uploads"));
        Files.createDirectories(f.done());
        Files.createDirectories(f.failed());
        Files.createDirectories(f.uploads());
        return f;
    }

    @Bean
    public WorkbookLimits workbookLimits(@Value("${hub.legal.max-rows:200000}") int maxRows,
                                         @Value("${hub.legal.zip.min-inflate-ratio:0.01}") double minInflateRatio,
                                         @Value("${hub.legal.zip.max-entry-bytes:512MB}") DataSize maxEntry,
                                         @Value("${hub.legal.max-xml-part-bytes:4MB}") DataSize maxXmlPart,
                                         @Value("${hub.legal.zip.max-entries:1000}") int maxEntries,
                                         @Value("${hub.legal.max-markup-run-bytes:1MB}") DataSize maxMarkupRun,
                                         @Value("${hub.legal.max-cell-chars:32767}") int maxCellChars,
                                         @Value("${hub.legal.max-shared-string-chars:0}") long maxSharedStringChars) {
        if (maxRows < 1 || minInflateRatio <= 0 || minInflateRatio >= 1 || maxEntries < 4) {
            throw new IllegalArgumentException("hub.legal.max-rows must be positive, hub.legal.zip.min-inflate-ratio in (0, 1), "
                    + "hub.legal.zip.max-entries at least 4");
        }
        long sst = maxSharedStringChars > 0 ? maxSharedStringChars
                : WorkbookLimits.defaultSharedStringChars(Runtime.getRuntime().maxMemory());
        return new WorkbookLimits(maxRows, minInflateRatio, maxEntry.toBytes(), maxXmlPart.toBytes(), maxEntries,
                (int) Math.min(Integer.MAX_VALUE, maxMarkupRun.toBytes()), maxCellChars, sst);
    }

    @Bean
    public LegalWorkbookReader legalWorkbookReader(WorkbookLimits limits) {
        return new LegalWorkbookReader(limits);
    }
}
