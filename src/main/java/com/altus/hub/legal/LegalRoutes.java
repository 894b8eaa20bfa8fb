package com.altus.hub.legal;

import com.altus.hub.platform.rest.RestErrors;
import com.altus.hub.platform.run.FlowParam;
import com.altus.hub.platform.run.FlowRouteBuilder;
import org.apache.camel.model.rest.RestParamType;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The legal module as routes (CONTRACT sections 4a and 10). Two ways in, one import:
 * <ul>
 * <li>{@code legal-import-upload} (REST DSL, POST /api/legal/import): one request; the multipart
 * body is streamed to a spool file and imported by a run of the flow.</li>
 * <li>{@code legal-import-inbox} (file consumer on {@code $HUB_DATA_DIR/legal/inbox}): one dropped
 * workbook, sent to the flow, then moved to done/ or failed/.</li>
 * <li>{@code legal-import} (the flow, {@code direct:legal-import}): one run = one workbook, one
 * sync_jobs row; its unit {@code legal-import-folders} makes one batch of case folders.</li>
 * </ul>
 */
@Component
public class LegalRoutes extends FlowRouteBuilder {
    public static final String FLOW = "legal-import";

    private final LegalConfiguration.Folders folders;
    private final boolean inboxEnabled;
    private final long pollDelayMillis;

    public LegalRoutes(LegalConfiguration.Folders folders,
                       @Value("${hub.legal.inbox.enabled:true}") boolean inboxEnabled,
                       @Value("${hub.legal.inbox.poll-delay-ms:2000}") long pollDelayMillis) {
        this.folders = folders;
        this.inboxEnabled = inboxEnabled;
        this.pollDelayMillis = pollDelayMillis;
    }

    @Override
    public void configure() {
        flow(FLOW, FlowParam.text("file", "the workbook: a file under $HUB_DATA_DIR/legal (the upload spool or the inbox)"),
                FlowParam.text("filename", "the workbook's name as uploaded or dropped"))
                .bean("legalImportSteps", "open").id("legal-import-open")
                .bean("legalImportSteps", "apply").id("legal-import-apply")
                .split(body()).id("legal-import-folder-batches")
                    .to("direct:legal-import-folders").id("legal-import-each-folder-batch")
                .end()
                .bean("legalImportSteps", "finish").id("legal-import-finish");

        unit("legal-import-folders")
                .bean("legalCaseFolders", "create").id("legal-import-folders-create");

        // a dropped workbook stays in place while the flow runs; its last step moves it (noop: the
        // consumer neither moves nor remembers it, so a file skipped while another import ran is
        // picked up again at the next poll). Hidden, temporary and Office lock files are left alone.
        fromF("file:%s?noop=true&idempotent=false&readLock=changed&readLockCheckInterval=500&readLockMinAge=1000"
                        + "&delay=%d&sortBy=file:modified&exclude=RAW(^(\\.|~\\$).*|.*\\.(tmp|part|crdownload)$)",
                folders.inbox(), pollDelayMillis)
                .routeId("legal-import-inbox")
                .autoStartup(inboxEnabled)
                .onException(Exception.class).handled(true)
                    .bean("legalInbox", "failed").id("legal-import-inbox-failed")
                .end()
                .bean("legalInbox", "trigger").id("legal-import-inbox-trigger")
                .to("direct:" + FLOW).id("legal-import-inbox-run")
                .bean("legalInbox", "done").id("legal-import-inbox-done");

        rest("/api/legal").description("Legal cases (CONTRACT section 10)")
                .post("/import").id("rest-legal-import-upload")
                    .description("Imports a legal-case workbook (.xlsx, first sheet, header row: Case Number, Tenant Name, "
                            + "Property Address, Unit, Case Type, Phase, Amount Claimed, Filing Date, Hearing Date, "
                            + "Judgment Amount, Attorney, Notes) as a run of legal-import. Answers {rows, imported, updated, "
                            + "rejected, errors[{row, message}]} (row = spreadsheet row, header = 1). A refused workbook "
                            + "(not .xlsx, a zip bomb, too many rows, formulas, external links) is 400 with the reason; "
                            + "an import already running is 409; bodies over 50 MiB are 413.")
                    // "*/*" too: a transport that checks consumes would answer another Content-Type with 415 before
                    // the route runs; the route checks it and answers 400 with the reason
                    .consumes("multipart/form-data,*/*").produces("application/json")
                    .param().name("body").type(RestParamType.body).required(true)
                        .description("multipart/form-data (Content-Type with its boundary) whose part 'file' is the workbook (.xlsx)")
                        .endParam()
                    .responseMessage().code(200).message("imported: {rows, imported, updated, rejected, errors[{row, message}]}")
                        .endResponseMessage()
                    .responseMessage().code(400).message("not multipart/form-data, no 'file' part, or the workbook is refused")
                        .endResponseMessage()
                    .responseMessage().code(409).message("an import is running").endResponseMessage()
                    .responseMessage().code(413).message("the body is larger than 50 MiB").endResponseMessage()
                    .to("direct:legal-import-upload");

        from("direct:legal-import-upload").routeId("legal-import-upload").routeConfigurationId(RestErrors.ID)
                .noStreamCaching()
                .onCompletion().modeBeforeConsumer() // the spool file goes, whatever the outcome
                    .bean("legalUploads", "discard")
                .end()
                .bean("legalUploads", "receive").id("legal-import-upload-receive")
                .bean("legalUploads", "importUpload").id("legal-import-upload-run")
                .bean("legalUploads", "respond").id("legal-import-upload-respond");
    }
}
