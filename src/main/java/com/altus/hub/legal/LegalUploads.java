package com.altus.hub.legal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.altus.hub.platform.rest.Problem;
import com.altus.hub.platform.run.FlowRunner;
import com.altus.hub.platform.run.RunRecord;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * The steps of the upload route {@code legal-import-upload} (POST /api/legal/import): the
 * multipart body is streamed into a spool file under {@code $HUB_DATA_DIR/legal/uploads}, the
 * flow {@code legal-import} imports it (a run with its sync_jobs row, like the inbox's), and the
 * answer is {@code {rows, imported, updated, rejected, errors[{row, message}]}} (plus unchanged,
 * run_id, and errors_truncated when the list was cut). A refused workbook is 400 with the reason;
 * an import already running is 409.
 *
 * <p>The REST transport is camel-servlet with its stream cache off: the body is the request's raw
 * stream, parsed here with {@link MultipartFileReader} while it arrives (nothing else buffers it).
 */
@Component("legalUploads")
public class LegalUploads {
    private static final Logger log = LoggerFactory.getLogger(LegalUploads.class);
    /** Exchange property: the spool file of this request. */
    public static final String SPOOL = "legalUploadSpool";
    /** Exchange property: the workbook's file name as the client gave it. */
    public static final String FILENAME = "legalUploadFilename";
    static final String FIELD = "file";

    private final FlowRunner runner;
    private final LegalRepository repository;
    private final LegalConfiguration.Folders folders;
    private final ObjectMapper json;
    private final MultipartFileReader.Limits limits;
    private final int maxListedErrors;

    public LegalUploads(FlowRunner runner, LegalRepository repository, LegalConfiguration.Folders folders, ObjectMapper json,
                        @Value("${hub.legal.max-upload-bytes:50MB}") DataSize maxUpload,
                        @Value("${hub.legal.max-listed-errors:10000}") int maxListedErrors) {
        this.runner = runner;
        this.repository = repository;
        this.folders = folders;
        this.json = json;
        this.limits = new MultipartFileReader.Limits(8, 8192, 64 * 1024, maxUpload.toBytes());
        this.maxListedErrors = maxListedErrors;
    }

    /** Step 1: Content-Type check and the file part into the spool (exchange property {@value #SPOOL}). */
    public void receive(Exchange ex) throws IOException {
        String contentType = ex.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        String boundary;
        try {
            boundary = MultipartFileReader.boundary(contentType);
        } catch (MultipartFileReader.Malformed e) {
            throw Problem.badRequest(FIELD, e.getMessage());
        }
        Path spool = folders.uploads().resolve(UUID.randomUUID() + ".xlsx");
        ex.setProperty(SPOOL, spool);
        InputStream in = ex.getMessage().getBody() == null ? null : ex.getMessage().getBody(InputStream.class);
        if (in == null) {
            throw Problem.badRequest(FIELD, "the request has no multipart part named '" + FIELD + "' (send the workbook as "
                    + "form field '" + FIELD + "')");
        }
        try {
            MultipartFileReader.Received r = MultipartFileReader.read(in, boundary, FIELD, spool, limits);
            ex.setProperty(FILENAME, r.filename());
            if (r.size() == 0) {
                throw Problem.badRequest(FIELD, "the uploaded file is empty");
            }
        } catch (MultipartFileReader.Malformed e) {
            throw Problem.badRequest(FIELD, e.getMessage());
        }
    }

    /** Step 2: the import, as a run of legal-import; answers the contract's body. */
    public Map<String, Object> importUpload(Exchange ex) throws SQLException {
        Path spool = ex.getProperty(SPOOL, Path.class);
        String filename = ex.getProperty(FILENAME, String.class);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("file", spool.toString());
        params.put("filename", displayName(filename));
        RunRecord run = runner.run(LegalRoutes.FLOW, "upload", params);
        Map<String, Object> stats = run.stats() == null ? Map.of() : run.stats();
        if (run.failed()) {
            Object refused = stats.get("refused");
            if (refused != null) {
                throw Problem.badRequest(FIELD, "workbook refused: " + refused).with("run_id", run.id());
            }
            throw new Problem(500, "the import failed (run " + run.id() + "): " + run.error()).with("run_id", run.id());
        }
        String sha = String.valueOf(stats.get("workbook_sha256"));
        List<LegalRepository.RowError> errors = repository.rejectedRows(sha, maxListedErrors + 1);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rows", number(stats, "rows"));
        out.put("imported", number(stats, "imported"));
        out.put("updated", number(stats, "updated"));
        out.put("rejected", number(stats, "rejected"));
        List<Map<String, Object>> listed = new java.util.ArrayList<>();
        for (LegalRepository.RowError e : errors.subList(0, Math.min(errors.size(), maxListedErrors))) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("row", e.row());
            m.put("message", e.message());
            listed.add(m);
        }
        out.put("errors", listed);
        if (errors.size() > maxListedErrors) {
            out.put("errors_truncated", true);
        }
        out.put("unchanged", number(stats, "unchanged"));
        out.put("run_id", run.id());
        out.put("status", run.status());
        return out;
    }

    private static long number(Map<String, Object> stats, String key) {
        return stats.get(key) instanceof Number n ? n.longValue() : 0L;
    }

    /** The client's file name, made printable (it ends up in run parameters and logs). */
    static String displayName(String filename) {
        if (filename == null || filename.isBlank()) {
            return "upload.xlsx";
        }
        String base = filename.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1).replaceAll("\\p{Cntrl}", "_").strip();
        if (base.isEmpty()) {
            return "upload.xlsx";
        }
        return base.length() > 200 ? base.substring(0, 200) : base;
    }

    /** Step 3: the JSON answer. */
    public void respond(Exchange ex) throws IOException {
        Object body = ex.getMessage().getBody();
        ex.getMessage().removeHeaders("*");
        ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        ex.getMessage().setBody(json.writeValueAsBytes(body));
    }

    /** Whatever happened, the spool file goes (it was imported or refused). */
    public void discard(Exchange ex) {
        Path spool = ex.getProperty(SPOOL, Path.class);
        if (spool == null) {
            return;
        }
        try {
            Files.deleteIfExists(spool);
        } catch (IOException e) {
            log.warn("could not delete the upload spool file {}: {}", spool, e.getMessage());
        }
    }
}
