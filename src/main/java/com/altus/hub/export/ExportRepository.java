package com.altus.hub.export;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Owns maidcentral-export's SQL: {@code maidcentral_exports}, one row per blob written, upserted on (container, blob_name). */
@Repository
public class ExportRepository {
    private final JdbcTemplate jdbc;

    public ExportRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A blob as the exporter last wrote it. */
    public record Exported(String container, String blobName, String sha256, String etag, Integer companyId,
                           LocalDate rangeStart, LocalDate rangeEnd, long items, Instant generatedAt) {
    }

    /** The content hash last written to this blob, or null. */
    public String hash(String container, String blobName) {
        List<String> h = jdbc.queryForList("SELECT content_sha256 FROM maidcentral_exports WHERE container = ? AND blob_name = ?",
                String.class, container, blobName);
        return h.isEmpty() ? null : h.get(0);
    }

    /** Records a written blob; a row that already says the same is left alone. */
    public void record(Exported e) {
        jdbc.update("""
                INSERT INTO maidcentral_exports AS x (container, blob_name, content_sha256, etag, service_company_id,
                                                      date_range_start, date_range_end, item_count, generated_at, uploaded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now())
                ON CONFLICT (container, blob_name) DO UPDATE SET content_sha256 = EXCLUDED.content_sha256, etag = EXCLUDED.etag,
                       service_company_id = EXCLUDED.service_company_id, date_range_start = EXCLUDED.date_range_start,
                       date_range_end = EXCLUDED.date_range_end, item_count = EXCLUDED.item_count,
                       generated_at = EXCLUDED.generated_at, uploaded_at = EXCLUDED.uploaded_at
                WHERE (x.content_sha256, x.etag) IS DISTINCT FROM (EXCLUDED.content_sha256, EXCLUDED.etag)
                """, e.container(), e.blobName(), e.sha256(), e.etag(), e.companyId(), e.rangeStart(), e.rangeEnd(), e.items(),
                Timestamp.from(e.generatedAt()));
    }
}
