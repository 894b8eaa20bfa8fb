package com.altus.hub.ingest;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.altus.hub.dropbox.DropboxUploadController;
import com.altus.hub.dropbox.IdempotencyService;
import com.altus.hub.dropbox.UploadBody;
import com.altus.hub.dropbox.UploadRequests;
import com.altus.hub.dropbox.UploadService;
import com.altus.hub.platform.rest.Problem;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * POST /api/ingest_upload: a Deal Room or Field App file, mapped by {@link IngestMapping} and
 * stored like /api/dropbox_upload (streamed, hashed, idempotent with Idempotency-Key). A Spring
 * MVC handler for the same reason as {@link DropboxUploadController}: the body is a file.
 */
@RestController
public class IngestUploadController {
    private final UploadService uploads;
    private final ObjectMapper json;

    public IngestUploadController(UploadService uploads, ObjectMapper json) {
        this.uploads = uploads;
        this.json = json;
    }

    @PostMapping(path = "/api/ingest_upload", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<String> ingest(HttpServletRequest req,
                                         @RequestHeader(value = IdempotencyService.HEADER, required = false) String keyHeader)
            throws Exception {
        String key = IdempotencyService.key(keyHeader);
        try (InputStream in = req.getInputStream();
             UploadBody body = UploadBody.json(json, in, Set.of("payload.file_base64"), uploads.spoolDir())) {
            UploadRequests.Canonical c = IngestMapping.canonical(uploads.folders(), body.fields());
            if (body.binaryField() == null) {
                throw Problem.badRequest("payload.file_base64", "'payload.file_base64' is required");
            }
            return DropboxUploadController.respond(uploads.idempotent(key, "ingest_upload", body.requestHash(), () -> {
                Map<String, Object> stored = uploads.store(c, body);
                Map<String, Object> out = new LinkedHashMap<>(stored);
                out.put("source", c.source());
                return out;
            }));
        }
    }
}
