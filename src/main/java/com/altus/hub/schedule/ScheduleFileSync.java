package com.altus.hub.schedule;

import java.io.InputStream;
import java.security.DigestInputStream;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import com.altus.hub.platform.run.RunStats;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Syncs one {@code {ServiceCompanyId}_schedules.json} from its content stream (the download step of
 * route {@code azure-sync-blob} opened it): parse and validate, split into days,
 * upload the days whose content changed (idempotent puts, before the commit), then one
 * transaction for group, company, schedule_data and blob_state. A crash anywhere before the
 * commit leaves blob_state at the old ETag, so the next run processes the blob again.
 */
@Service
public class ScheduleFileSync {
    private final ScheduleRepository repo;
    private final ScheduleAdapters adapters;
    private final TransactionTemplate tx;
    private final ObjectMapper json;
    private final ScheduleFileParser parser;
    private final ScheduleDaySplitter splitter;

    public ScheduleFileSync(ScheduleRepository repo, ScheduleAdapters adapters, TransactionTemplate tx, ObjectMapper json,
                            @Value("${hub.azure.max-days-per-file:400}") int maxDays) {
        this.repo = repo;
        this.adapters = adapters;
        this.tx = tx;
        this.json = json;
        this.parser = new ScheduleFileParser(json, maxDays);
        this.splitter = new ScheduleDaySplitter(json);
    }

    /** {@code etag} is the ETag of exactly the content being read (recorded in blob_state). */
    public void sync(BlobContainer.BlobRef blob, InputStream content, String etag, RunStats stats) throws Exception {
        ScheduleFile file;
        String md5;
        try (DigestInputStream in = Md5.wrap(content)) {
            file = parser.parse(blob.name(), in);
            md5 = Md5.finish(in);
        }
        List<ScheduleDaySplitter.Day> days = splitter.split(file);
        Map<LocalDate, String> stored = days.isEmpty() ? Map.of()
                : repo.dayHashes(file.companyId(), days.stream().map(ScheduleDaySplitter.Day::date).min(LocalDate::compareTo).get(),
                        days.stream().map(ScheduleDaySplitter.Day::date).max(LocalDate::compareTo).get());
        ObjectStore store = adapters.objectStore();
        long written = 0;
        for (ScheduleDaySplitter.Day day : days) {
            if (!day.contentHash().equals(stored.get(day.date()))) {
                store.put(day.path(), day.content(), "application/json");
                written++;
            }
        }
        String toggles = json.writeValueAsString(file.featureToggles());
        tx.executeWithoutResult(s -> {
            repo.upsertCompany(file, toggles);
            repo.upsertDays(file.companyId(), days, file.generatedAt(), blob.name(), etag);
            repo.saveBlobState(blob.name(), etag, md5);
        });
        stats.add("schedule_days_written", written);
        stats.add("schedule_days_unchanged", days.size() - written);
    }
}
