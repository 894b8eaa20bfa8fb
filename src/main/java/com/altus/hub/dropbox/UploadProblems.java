package com.altus.hub.dropbox;

import java.io.IOException;
import java.util.UUID;

import com.altus.hub.ingest.IngestUploadController;
import com.altus.hub.platform.http.PermanentFailure;
import com.altus.hub.platform.http.TransientFailure;
import com.altus.hub.platform.ops.Redactor;
import com.altus.hub.platform.rest.PayloadTooLargeException;
import com.altus.hub.platform.rest.Problem;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The upload endpoints' errors as application/problem+json, with the same shape as the Camel
 * REST routes' (RestErrors): 400 with the field, 409 with correct_offset or Dropbox's
 * error_summary, 413, 503 with Retry-After when Dropbox kept answering 429/5xx, and 500 with
 * a problem_id that the log line carries too.
 */
@RestControllerAdvice(assignableTypes = {DropboxUploadController.class, IngestUploadController.class})
public class UploadProblems {
    private static final Logger log = LoggerFactory.getLogger(UploadProblems.class);
    private final Redactor redactor;

    public UploadProblems(Redactor redactor) {
        this.redactor = redactor;
    }

    @ExceptionHandler(Throwable.class)
    public ResponseEntity<Object> handle(Throwable e, HttpServletRequest req) {
        Problem p = problemFor(e);
        if (p.status() >= 500 && p.status() != 503 && !(root(e) instanceof DropboxApiException)) {
            String id = UUID.randomUUID().toString();
            log.error("request {} {} failed (problem id {})", req.getMethod(), req.getRequestURI(), id, e);
            p.with("problem_id", id);
        } else if (p.status() >= 500) {
            log.warn("request {} {}: {}", req.getMethod(), req.getRequestURI(), redactor.redact(p.getMessage()));
        }
        ResponseEntity.BodyBuilder b = ResponseEntity.status(p.status()).contentType(MediaType.parseMediaType(Problem.MEDIA_TYPE));
        if (p.status() == 503) {
            b.header("Retry-After", "30");
        }
        return b.body(p.body(req.getRequestURI()));
    }

    Problem problemFor(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Problem p) {
                return new Problem(p.status(), redactor.redact(p.getMessage())).withAll(p);
            }
            if (t instanceof FolderMap.InvalidInput bad) {
                return Problem.badRequest(bad.field(), bad.getMessage());
            }
            if (t instanceof PayloadTooLargeException) {
                return new Problem(413, t.getMessage());
            }
            if (t instanceof UploadRepository.SessionBusyException) {
                return new Problem(409, t.getMessage());
            }
            if (t instanceof DropboxApiException d) {
                int status = d.status() == 409 ? 409 : 502;
                return new Problem(status, redactor.redact(d.getMessage())).with("dropbox_error_summary", d.errorSummary());
            }
            if (t instanceof IncorrectOffsetException io) {
                return new Problem(502, "Dropbox's upload session is at offset " + io.correctOffset()
                        + ", not where the hub expected it").with("dropbox_error_summary", "incorrect_offset/");
            }
            if (t instanceof TransientFailure tf) {
                return new Problem(503, "Dropbox is unavailable or rate limiting after retries: " + redactor.redact(tf.getMessage()));
            }
            if (t instanceof PermanentFailure pf) {
                return new Problem(502, redactor.redact(pf.getMessage()));
            }
            if (t instanceof IOException && t.getClass().getSimpleName().equals("ClientAbortException")) {
                return Problem.badRequest("body", "the request body could not be read (the client went away)");
            }
        }
        return new Problem(500, "internal error");
    }

    private static Throwable root(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DropboxApiException || t.getCause() == null) {
                return t;
            }
        }
        return e;
    }
}
