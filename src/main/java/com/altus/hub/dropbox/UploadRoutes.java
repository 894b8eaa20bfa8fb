package com.altus.hub.dropbox;

import java.time.Duration;

import com.altus.hub.platform.rest.RestErrors;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.RestParamType;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The Dropbox upload endpoints as REST DSL routes (one exchange = one request), on the
 * streaming servlet transport (platform/rest/RestTransport): no stream caching, so the first
 * step reads the request body as it arrives. Each route reads top to bottom as the request is
 * handled: parse the body (file to the spool, metadata within limits), validate, claim the
 * Idempotency-Key or the session, store, answer; errors become problem+json through the
 * route configuration {@link RestErrors}. Also the sweep of expired upload sessions.
 */
@Component
public class UploadRoutes extends RouteBuilder {
    static final String UPLOAD = "upload";
    static final String CANONICAL = "canonical";
    static final String CLAIM = "idempotencyClaim";
    static final String RAW_BODY = "rawBody";

    private final Duration sweepInterval;

    public UploadRoutes(@Value("${hub.upload.session-sweep-interval:PT5M}") Duration sweepInterval) {
        this.sweepInterval = sweepInterval;
    }

    @Override
    public void configure() {
        RestDefinition api = rest("/api").description("Dropbox document uploads (CONTRACT sections 5 and 9)")
                .securityDefinitions().bearerToken("bearer", "the HUB_API_TOKEN", null).end();

        problems(api.post("/dropbox_upload").id("rest-dropbox-upload")
                .description("Stores one file (base64) in its Dropbox folder by entity_type; above 150 MB through an "
                        + "upload session. The same name with the same content answers the existing file; other content "
                        + "is stored as 'name (n).ext'.")
                .consumes("application/json").produces("application/json").security("bearer")
                .param().name(IdempotencyService.HEADER).type(RestParamType.header).required(false).dataType("string")
                    .description("at most 255 characters; the same key and body replays the stored answer "
                            + "(Idempotent-Replayed: true) and uploads nothing, another body is 422, in flight 409; kept 24 h")
                    .endParam()
                .param().name("body").type(RestParamType.body).required(true).endParam()
                .type(UploadApiModel.DropboxUpload.class)
                .responseMessage(UploadApiModel.answer(200, "stored", UploadApiModel.Stored.class)
                    .header("Idempotent-Replayed").dataType("string").description("true when the answer replays an earlier "
                            + "request with the same Idempotency-Key").endHeader()), 400, 401, 409, 413, 415, 422, 502, 503)
                .to("direct:dropbox-upload");

        problems(api.post("/upload_session/start").id("rest-upload-session-start")
                .description("Opens a resumable upload session (entity_type or category), optionally with its first chunk")
                .consumes("application/json").produces("application/json").security("bearer")
                .param().name("body").type(RestParamType.body).required(true).endParam()
                .type(UploadApiModel.SessionStart.class)
                .responseMessage(UploadApiModel.answer(200, "session opened", UploadApiModel.SessionStarted.class)), 400, 401, 409, 413, 415, 502, 503)
                .to("direct:upload-session-start");

        problems(api.post("/upload_session/append").id("rest-upload-session-append")
                .description("Appends bytes at the session's offset: JSON {session_id, offset, chunk_base64}, or the raw "
                        + "bytes as application/octet-stream with the query parameters session_id and offset. A wrong offset is 409 with "
                        + "correct_offset; a concurrent append of the same session 409; an expired session 404.")
                .consumes("application/json,application/octet-stream").produces("application/json").security("bearer")
                .param().name("session_id").type(RestParamType.query).required(false).dataType("string")
                    .description("raw appends: the session").endParam()
                .param().name("offset").type(RestParamType.query).required(false).dataType("integer")
                    .description("raw appends: the session's offset").endParam()
                .param().name("body").type(RestParamType.body).required(true).endParam()
                .type(UploadApiModel.SessionAppend.class)
                .responseMessage(UploadApiModel.answer(200, "appended", UploadApiModel.Offset.class)), 400, 401, 404, 409, 413, 415, 502, 503)
                .to("direct:upload-session-append");

        problems(api.post("/upload_session/finish").id("rest-upload-session-finish")
                .description("Commits the session to its path; the stored file is checked against its content_hash. "
                        + "Finishing a finished session answers the same result; an expired session is 404.")
                .consumes("application/json").produces("application/json").security("bearer")
                .param().name("body").type(RestParamType.body).required(true).endParam()
                .type(UploadApiModel.SessionFinish.class)
                .responseMessage(UploadApiModel.answer(200, "stored", UploadApiModel.Stored.class)), 400, 401, 404, 409, 413, 415, 502, 503)
                .to("direct:upload-session-finish");

        // Steps are .bean() calls (the bean processor binds the ${...} arguments); the bean *language*
        // would take any argument list with a '.' for an OGNL chain and copy the exchange on every call.
        from("direct:dropbox-upload").routeId("dropbox-upload").routeConfigurationId(RestErrors.ID).noStreamCaching()
                .onCompletion().modeBeforeConsumer().id("dropbox-upload-cleanup") // cleanup, whatever the outcome
                    .bean("idempotencyService", "release(${exchangeProperty.idempotencyClaim})").id("dropbox-upload-release")
                    .bean("uploadService", "discard(${exchangeProperty.upload})").id("dropbox-upload-discard")
                .end()
                .bean("uploadService", "readJson(${body}, ${header.Content-Encoding}, 'file_base64', true)").id("dropbox-upload-read-json")
                .setProperty(UPLOAD, body()).id("dropbox-upload-keep-upload")
                .bean("uploadService", "validate(${body})").id("dropbox-upload-validate")
                .setProperty(CANONICAL, body()).id("dropbox-upload-keep-canonical")
                .bean("idempotencyService", "claim(${header.Idempotency-Key}, 'dropbox_upload', ${exchangeProperty.upload})").id("dropbox-upload-claim")
                .setProperty(CLAIM, body()).id("dropbox-upload-keep-claim")
                .filter(method("idempotencyService", "fresh")).id("dropbox-upload-if-fresh")
                    .bean("uploadService", "store(${exchangeProperty.canonical}, ${exchangeProperty.upload})").id("dropbox-upload-store")
                    .bean("idempotencyService", "complete(${exchangeProperty.idempotencyClaim}, ${body})").id("dropbox-upload-complete")
                .end()
                .bean("idempotencyService", "answer(${exchangeProperty.idempotencyClaim}, ${body})").id("dropbox-upload-answer")
                .bean("uploadService", "respond").id("dropbox-upload-respond");

        from("direct:upload-session-start").routeId("upload-session-start").routeConfigurationId(RestErrors.ID)
                .noStreamCaching()
                .onCompletion().modeBeforeConsumer().id("upload-session-start-cleanup") // cleanup, whatever the outcome
                    .bean("uploadService", "discard(${exchangeProperty.upload})").id("upload-session-start-discard")
                .end()
                .bean("uploadService", "readJson(${body}, ${header.Content-Encoding}, 'first_chunk_base64', false)").id("upload-session-start-read-json")
                .setProperty(UPLOAD, body()).id("upload-session-start-keep-upload")
                .bean("uploadSessionService", "parseStart(${body})").id("upload-session-start-parse-start")
                .bean("uploadSessionService", "start(${body}, ${exchangeProperty.upload})").id("upload-session-start-start")
                .bean("uploadService", "respond").id("upload-session-start-respond");

        from("direct:upload-session-append").routeId("upload-session-append").routeConfigurationId(RestErrors.ID)
                .noStreamCaching()
                .onCompletion().modeBeforeConsumer().id("upload-session-append-cleanup") // cleanup, whatever the outcome
                    .bean("uploadService", "discard(${exchangeProperty.upload})").id("upload-session-append-discard")
                .end()
                .choice().id("upload-session-append-raw-or-json")
                    .when(simple("${header.Content-Type} regex '(?i)application/octet-stream.*'"))
                        .setProperty(RAW_BODY, body()).id("upload-session-append-keep-rawbody")
                        .bean("uploadSessionService", "queryTarget(${header.session_id}, ${header.offset})").id("upload-session-append-query-target")
                        .bean("uploadSessionService", "appendRaw(${body}, ${exchangeProperty.rawBody}, ${header.Content-Length})").id("upload-session-append-append-raw")
                    .otherwise()
                        .bean("uploadService", "readJson(${body}, ${header.Content-Encoding}, 'chunk_base64', false)").id("upload-session-append-read-json")
                        .setProperty(UPLOAD, body()).id("upload-session-append-keep-upload")
                        .bean("uploadSessionService", "bodyTarget(${body})").id("upload-session-append-body-target")
                        .bean("uploadSessionService", "append(${body}, ${exchangeProperty.upload})").id("upload-session-append-append")
                .end()
                .bean("uploadService", "respond").id("upload-session-append-respond");

        from("direct:upload-session-finish").routeId("upload-session-finish").routeConfigurationId(RestErrors.ID)
                .noStreamCaching()
                .onCompletion().modeBeforeConsumer().id("upload-session-finish-cleanup") // cleanup, whatever the outcome
                    .bean("uploadService", "discard(${exchangeProperty.upload})").id("upload-session-finish-discard")
                .end()
                .bean("uploadService", "readJson(${body}, ${header.Content-Encoding}, '', false)").id("upload-session-finish-read-json")
                .setProperty(UPLOAD, body()).id("upload-session-finish-keep-upload")
                .bean("uploadSessionService", "bodyTarget(${body})").id("upload-session-finish-body-target")
                .bean("uploadSessionService", "finish(${body})").id("upload-session-finish-finish")
                .bean("uploadService", "respond").id("upload-session-finish-respond");

        from("timer:upload-session-sweep?delay=" + sweepInterval.toMillis() + "&period=" + sweepInterval.toMillis())
                .routeId("upload-session-sweep")
                .bean("uploadSessionService", "sweep").id("upload-session-sweep-sweep");
    }

    /** The problem+json answers an upload endpoint can give, for the OpenAPI document. */
    static RestDefinition problems(RestDefinition verb, int... codes) {
        for (int code : codes) {
            verb.responseMessage(UploadApiModel.problem(code, com.altus.hub.platform.rest.Problem.title(code)
                    + (code == 409 ? " (correct_offset on a wrong offset; dropbox_error_summary on a Dropbox conflict)"
                    : code == 503 ? " (Retry-After)" : "")));
        }
        return verb;
    }
}
