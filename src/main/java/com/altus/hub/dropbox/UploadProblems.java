package com.altus.hub.dropbox;

import java.io.IOException;
import java.util.Optional;

import com.altus.hub.platform.http.PermanentFailure;
import com.altus.hub.platform.http.TransientFailure;
import com.altus.hub.platform.rest.Problem;
import com.altus.hub.platform.rest.ProblemMapper;
import org.springframework.stereotype.Component;

/**
 * The upload side's failures as problems (used by the REST routes' error handling): a path
 * that cannot be built is 400 with the field, a busy session 409, a Dropbox route error 409
 * with Dropbox's error_summary, a lost store offset 502, Dropbox still failing after retries
 * 503 (with Retry-After), a client that went away 400.
 */
@Component
public class UploadProblems implements ProblemMapper {

    @Override
    public Optional<Problem> problemFor(Throwable t) {
        if (t instanceof FolderMap.InvalidInput bad) {
            return Optional.of(Problem.badRequest(bad.field(), bad.getMessage()));
        }
        if (t instanceof UploadRepository.SessionBusyException) {
            return Optional.of(new Problem(409, t.getMessage()).with("field", "session_id"));
        }
        if (t instanceof DropboxApiException d) {
            int status = d.status() == 409 ? 409 : 502;
            return Optional.of(new Problem(status, d.getMessage()).with("dropbox_error_summary", d.errorSummary()));
        }
        if (t instanceof IncorrectOffsetException io) {
            return Optional.of(new Problem(502, "Dropbox's upload session is at offset " + io.correctOffset()
                    + ", not where the hub expected it").with("dropbox_error_summary", "incorrect_offset/"));
        }
        if (t instanceof TransientFailure tf) {
            return Optional.of(new Problem(503, "Dropbox is unavailable or rate limiting after retries: " + tf.getMessage()));
        }
        if (t instanceof PermanentFailure pf) {
            return Optional.of(new Problem(502, pf.getMessage()));
        }
        if (t instanceof IOException && t.getClass().getSimpleName().equals("ClientAbortException")) {
            return Optional.of(Problem.badRequest("body", "the request body could not be read (the client went away)"));
        }
        return Optional.empty();
    }
}
