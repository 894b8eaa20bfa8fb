package com.altus.hub.ingest;

import com.altus.hub.dropbox.FolderMap;
import com.altus.hub.dropbox.IdempotencyService;
import com.altus.hub.dropbox.UploadApiModel;
import com.altus.hub.platform.rest.Problem;
import com.altus.hub.platform.rest.RestErrors;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.RestParamType;
import org.springframework.stereotype.Component;

/**
 * POST /api/ingest_upload as a REST DSL route (one exchange = one request): a Deal Room or
 * Field App file, mapped by {@link IngestMapping} and stored like /api/dropbox_upload
 * (streamed, hashed, idempotent with Idempotency-Key). Read top to bottom: parse the body,
 * map it, claim the key, store, answer.
 */
@Component
public class IngestRoutes extends RouteBuilder {
    private final IngestMapping mapping;

    public IngestRoutes(FolderMap folders) {
        this.mapping = new IngestMapping(folders);
    }

    @Override
    public void configure() {
        RestDefinition verb = rest("/api").description("Deal Room and Field App uploads")
                .securityDefinitions().bearerToken("bearer", "the HUB_API_TOKEN", null).end()
                .post("/ingest_upload").id("rest-ingest-upload")
                .description("Stores a Deal Room or Field App file in its Dropbox folder by category "
                        + "(media-unit, media-property, inspection, workorder); the source is recorded in file_assets")
                .consumes("application/json").produces("application/json").security("bearer")
                .param().name(IdempotencyService.HEADER).type(RestParamType.header).required(false).dataType("string")
                    .description("as for /api/dropbox_upload").endParam()
                .param().name("body").type(RestParamType.body).required(true).endParam()
                .type(IngestApiModel.IngestUpload.class)
                .responseMessage(UploadApiModel.answer(200, "stored", IngestApiModel.Ingested.class)
                    .header("Idempotent-Replayed").dataType("string").description("true on a replayed answer").endHeader());
        for (int code : new int[] {400, 401, 409, 413, 415, 422, 502, 503}) {
            verb.responseMessage(UploadApiModel.problem(code, Problem.title(code)));
        }
        verb.to("direct:ingest-upload");

        from("direct:ingest-upload").routeId("ingest-upload").routeConfigurationId(RestErrors.ID).noStreamCaching()
                .onCompletion().modeBeforeConsumer().id("ingest-upload-cleanup") // cleanup, whatever the outcome
                    .bean("idempotencyService", "release(${exchangeProperty.idempotencyClaim})").id("ingest-upload-release")
                    .bean("uploadService", "discard(${exchangeProperty.upload})").id("ingest-upload-discard")
                .end()
                .bean("uploadService", "readJson(${body}, ${header.Content-Encoding}, 'payload.file_base64', true)")
                    .id("ingest-upload-read-json")
                .setProperty("upload", body()).id("ingest-upload-keep-upload")
                .bean(mapping, "canonical(${body})").id("ingest-upload-map")
                .setProperty("canonical", body()).id("ingest-upload-keep-canonical")
                .bean("idempotencyService", "claim(${header.Idempotency-Key}, 'ingest_upload', ${exchangeProperty.upload})")
                    .id("ingest-upload-claim")
                .setProperty("idempotencyClaim", body()).id("ingest-upload-keep-claim")
                .filter(method("idempotencyService", "fresh")).id("ingest-upload-if-fresh")
                    .bean("uploadService", "store(${exchangeProperty.canonical}, ${exchangeProperty.upload})").id("ingest-upload-store")
                    .bean(mapping, "withSource(${body}, ${exchangeProperty.canonical})").id("ingest-upload-with-source")
                    .bean("idempotencyService", "complete(${exchangeProperty.idempotencyClaim}, ${body})").id("ingest-upload-complete")
                .end()
                .bean("idempotencyService", "answer(${exchangeProperty.idempotencyClaim}, ${body})").id("ingest-upload-answer")
                .bean("uploadService", "respond").id("ingest-upload-respond");
    }
}
