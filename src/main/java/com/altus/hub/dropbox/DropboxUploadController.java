package com.altus.hub.dropbox;

import java.io.InputStream;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.altus.hub.platform.rest.Problem;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * POST /api/dropbox_upload and /api/upload_session/{start,append,finish}.
 *
 * <p>These are Spring MVC handlers, not Camel REST DSL routes, on purpose: platform-http's
 * binding reads every request body whole into memory (a stream cache) before the route runs,
 * and these bodies are files (up to 210 MiB of base64 JSON, 150 MiB raw appends, several at
 * once). Here the servlet stream is parsed and decoded on the fly into a spool file, so memory
 * stays flat. The rest is as for the other endpoints: ApiSecurityFilter checks the token and
 * the body limits for /api/**, errors are application/problem+json ({@link UploadProblems}),
 * and the endpoints are described at /api/openapi/dropbox.json and in docs/dropbox.md.
 */
@RestController
public class DropboxUploadController {
    private final UploadService uploads;
    private final UploadSessionService sessions;
    private final ObjectMapper json;
    private final String version;

    public DropboxUploadController(UploadService uploads, UploadSessionService sessions, ObjectMapper json,
                                   @Value("${hub.version:0.1.0}") String version) {
        this.uploads = uploads;
        this.sessions = sessions;
        this.json = json;
        this.version = version;
    }

    /** OpenAPI 3 of these endpoints (Camel's /api/openapi.json only knows the REST DSL routes). */
    @GetMapping(path = "/api/openapi/dropbox.json", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<String> openApi() throws Exception {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
                .body(json.writeValueAsString(UploadOpenApi.document(version)));
    }

    @PostMapping(path = "/api/dropbox_upload", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<String> upload(HttpServletRequest req,
                                         @RequestHeader(value = IdempotencyService.HEADER, required = false) String keyHeader)
            throws Exception {
        String key = IdempotencyService.key(keyHeader);
        try (InputStream in = req.getInputStream();
             UploadBody body = UploadBody.json(json, in, Set.of("file_base64"), uploads.spoolDir())) {
            UploadRequests.Canonical c = UploadRequests.dropboxUpload(uploads.folders(), body.fields());
            if (body.binaryField() == null) {
                throw Problem.badRequest("file_base64", "'file_base64' is required");
            }
            return respond(uploads.idempotent(key, "dropbox_upload", body.requestHash(), () -> uploads.store(c, body)));
        }
    }

    @PostMapping(path = "/api/upload_session/start", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<String> start(HttpServletRequest req) throws Exception {
        try (InputStream in = req.getInputStream();
             UploadBody body = UploadBody.json(json, in, Set.of("first_chunk_base64"), uploads.spoolDir(), false)) {
            UploadSessionService.Start s = sessions.parseStart(body.fields());
            return ok(sessions.start(s, body));
        }
    }

    /** JSON {session_id, offset, chunk_base64} or raw application/octet-stream with ?session_id=&offset=. */
    @PostMapping(path = "/api/upload_session/append", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<String> append(HttpServletRequest req,
                                         @RequestParam(value = "session_id", required = false) String sessionParam,
                                         @RequestParam(value = "offset", required = false) String offsetParam)
            throws Exception {
        String type = req.getContentType();
        boolean raw = type != null && type.toLowerCase().startsWith(MediaType.APPLICATION_OCTET_STREAM_VALUE);
        try (InputStream in = req.getInputStream()) {
            if (raw) {
                UUID id = UploadRequests.sessionId(sessionParam);
                long offset = UploadRequests.offset(offsetParam, "offset");
                return ok(Map.of("ok", true, "offset", sessions.appendStreaming(id, offset, in, uploads.spoolDir())));
            }
            try (UploadBody body = UploadBody.json(json, in, Set.of("chunk_base64"), uploads.spoolDir(), false)) {
                UUID id = UploadRequests.sessionId(UploadRequests.text(body.fields(), "", "session_id", true));
                long offset = UploadRequests.offset(body.fields(), "offset");
                if (body.binaryField() == null) {
                    throw Problem.badRequest("chunk_base64", "'chunk_base64' is required");
                }
                return ok(Map.of("ok", true, "offset", sessions.append(id, offset, body)));
            }
        }
    }

    @PostMapping(path = "/api/upload_session/finish", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<String> finish(HttpServletRequest req) throws Exception {
        try (InputStream in = req.getInputStream();
             UploadBody body = UploadBody.json(json, in, Set.of(), uploads.spoolDir(), false)) {
            UUID id = UploadRequests.sessionId(UploadRequests.text(body.fields(), "", "session_id", true));
            long offset = UploadRequests.offset(body.fields(), "offset");
            return ok(sessions.finish(id, offset));
        }
    }

    private ResponseEntity<String> ok(Map<String, Object> body) throws Exception {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(json.writeValueAsString(body));
    }

    /** An answer with Idempotent-Replayed: true when it comes from an earlier request with the same key. */
    public static ResponseEntity<String> respond(UploadService.Answer a) {
        ResponseEntity.BodyBuilder b = ResponseEntity.status(a.status()).contentType(MediaType.APPLICATION_JSON);
        if (a.replayed()) {
            b.header("Idempotent-Replayed", "true");
        }
        return b.body(a.body());
    }
}
