package com.altus.hub.legal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.altus.hub.platform.run.RunContext;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The steps of the {@code legal-import} flow route, each a thin call into {@link LegalImporter}
 * or {@link LegalCaseFolders} that keeps the run's stats: open the workbook file, import it, plan
 * the case folders, report.
 */
@Component("legalImportSteps")
public class LegalImportSteps {
    static final String WORKBOOK = "legalWorkbook";
    static final String OUTCOME = "legalOutcome";

    private final LegalImporter importer;
    private final LegalCaseFolders folders;

    public LegalImportSteps(LegalImporter importer, LegalCaseFolders folders) {
        this.importer = importer;
        this.folders = folders;
    }

    /** Who a run's changes are by: "api" (an upload or a REST trigger), "inbox", or "run <id>". */
    static String actor(RunContext ctx) {
        return switch (ctx.trigger()) {
            case "upload", "rest" -> "api";
            case "inbox" -> "inbox";
            default -> "run " + ctx.runId();
        };
    }

    /** The workbook file of the run parameters: checked (under $HUB_DATA_DIR/legal) and hashed. */
    public void open(Exchange ex) throws IOException {
        RunContext ctx = RunContext.of(ex);
        LegalImporter.Workbook wb = importer.workbook(ctx.param("file", null), ctx.param("filename", null));
        ctx.stats().set("workbook", wb.name());
        ctx.stats().set("workbook_sha256", wb.sha256());
        ctx.stats().set("workbook_bytes", wb.bytes());
        ctx.stats().set("by", actor(ctx));
        ex.setProperty(WORKBOOK, wb);
    }

    /** The import (one transaction); answers the batches of case folders to make. */
    public List<LegalCaseFolders.Batch> apply(Exchange ex) throws Exception {
        RunContext ctx = RunContext.of(ex);
        LegalImporter.Workbook wb = ex.getProperty(WORKBOOK, LegalImporter.Workbook.class);
        LegalImporter.Outcome o;
        try {
            o = importer.importWorkbook(wb, actor(ctx), ctx.runId());
        } catch (WorkbookRefusedException e) {
            ctx.stats().set("refused", e.getMessage());
            throw e;
        }
        LegalRepository.Applied a = o.applied();
        ctx.stats().set("rows", (long) o.rows());
        ctx.stats().set("imported", a.imported());
        ctx.stats().set("updated", a.updated());
        ctx.stats().set("unchanged", a.unchanged());
        ctx.stats().set("rejected", a.rejected());
        ctx.stats().set("blank_rows", (long) o.blankRows());
        ctx.stats().set("history_rows", a.historyRows());
        ctx.stats().set("rows_written", a.rowsWritten());
        ctx.stats().set("read_ms", o.readAndStageMillis());
        ctx.stats().set("apply_ms", o.applyMillis());
        ctx.stats().set("apply_steps_ms", a.stepMillis());
        ctx.stats().set("cases_needing_folders", (long) o.casesNeedingFolders().size());
        ctx.stats().declare("folders_created");
        if (!o.firstErrors().isEmpty()) {
            List<Map<String, Object>> first = new ArrayList<>();
            for (LegalRepository.RowError e : o.firstErrors()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("row", e.row());
                m.put("message", e.message());
                first.add(m);
            }
            ctx.stats().set("first_errors", first);
            ctx.partial(a.rejected() + " row(s) rejected; their reasons are in legal_import_rows (workbook_sha256 "
                    + wb.sha256() + ")");
        }
        ctx.progress("imported {}: {} rows, {} new, {} updated, {} unchanged, {} rejected", wb.name(), o.rows(), a.imported(),
                a.updated(), a.unchanged(), a.rejected());
        ex.setProperty(OUTCOME, o);
        return folders.batches(o.casesNeedingFolders());
    }

    /** The run's answer: its counts (the run record carries them too). */
    public Map<String, Object> finish(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        return ctx.stats().snapshot();
    }
}
