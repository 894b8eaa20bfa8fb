package com.altus.hub.dropbox;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import com.altus.hub.platform.rest.Problem;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * Idempotency-Key handling (draft-ietf-httpapi-idempotency-key-header, Stripe practice) for the
 * upload endpoints: the first request with a key owns it (a row in_progress, decided by the
 * primary key), the same key and body later replays the stored answer, another body is 422,
 * a request while the first is in flight is 409. Keys live {@code hub.idempotency.ttl}; a claim
 * still in progress after {@code hub.idempotency.in-flight-timeout} (its hub died) is given up.
 * A request that fails releases its key (a failure is never stored), so it may be retried.
 *
 * <p>In a route: {@link #claim} after validation (400 for a bad key),
 * {@link #fresh} decides whether the work runs, {@link #complete} stores its answer,
 * {@link #answer} is what the client gets, and {@link #release} (always, at the end) frees a
 * key whose work did not complete.
 */
@Service
public class IdempotencyService {
    public static final String HEADER = "Idempotency-Key";
    public static final int MAX_KEY_LENGTH = 255;

    private final UploadRepository repo;
    private final ObjectMapper json;
    private final Duration ttl;
    private final Duration inFlightTimeout;

    public IdempotencyService(UploadRepository repo, ObjectMapper json, @Value("${hub.idempotency.ttl:PT24H}") Duration ttl,
                              @Value("${hub.idempotency.in-flight-timeout:PT30M}") Duration inFlightTimeout) {
        this.repo = repo;
        this.json = json;
        this.ttl = ttl;
        this.inFlightTimeout = inFlightTimeout;
    }

    /** A stored answer to replay. */
    public record Replay(int status, String body) {
    }

    /** One request's hold on its key (no key: nothing is held and the work always runs). */
    public static final class Claim {
        private final String key;
        private final Replay replay;
        private boolean completed;

        private Claim(String key, Replay replay) {
            this.key = key;
            this.replay = replay;
        }

        /** Whether this request owns its key (and must complete or release it). */
        boolean owned() {
            return key != null && replay == null;
        }
    }

    /** The header's key, or null without one; over 255 characters or with control characters -> 400. */
    public static String key(String header) {
        if (header == null) {
            return null;
        }
        if (header.isBlank()) {
            throw Problem.badRequest(HEADER, "the Idempotency-Key header must not be empty");
        }
        if (header.length() > MAX_KEY_LENGTH) {
            throw Problem.badRequest(HEADER, "the Idempotency-Key header must be at most " + MAX_KEY_LENGTH + " characters");
        }
        if (header.chars().anyMatch(Character::isISOControl)) {
            throw Problem.badRequest(HEADER, "the Idempotency-Key header must not contain control characters");
        }
        return header;
    }

    /**
     * Claims the Idempotency-Key header's key (if any; 400 for a bad one) for a validated request
     * with this body: owned, or a stored answer to replay.
     */
    public Claim claim(String header, String endpoint, UploadBody body) {
        String key = key(header);
        if (key == null) {
            return new Claim(null, null);
        }
        return new Claim(key, begin(key, endpoint, body.requestHash()).orElse(null));
    }

    /** Whether the work has to run (there is no stored answer to replay). */
    public boolean fresh(Claim claim) {
        return claim.replay == null;
    }

    /** Stores the work's answer under the key. */
    public void complete(Claim claim, Map<String, Object> result) throws JsonProcessingException {
        if (claim.owned()) {
            complete(claim.key, 200, json.writeValueAsString(result));
        }
        claim.completed = true;
    }

    /** What the client gets: the replayed answer, or the work's result (the message body, which a replay did not touch). */
    public UploadAnswer answer(Claim claim, Object result) throws JsonProcessingException {
        if (claim.replay != null) {
            return new UploadAnswer(claim.replay.status(), claim.replay.body(), true);
        }
        if (!(result instanceof Map<?, ?>)) {
            throw new IllegalStateException("the upload ended without a result: " + result);
        }
        return new UploadAnswer(200, json.writeValueAsString(result), false);
    }

    /** Frees a key whose work did not complete (validation passed but the store failed): it may be sent again. */
    public void release(Claim claim) {
        if (claim != null && claim.owned() && !claim.completed) {
            release(claim.key);
        }
    }

    /**
     * Claims the key for this request; answers a replay when the same request already completed.
     * Throws 422 for the key with another body (or endpoint) and 409 while the first is in flight.
     */
    public Optional<Replay> begin(String key, String endpoint, String requestHash) {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (repo.claimKey(key, endpoint, requestHash, ttl, inFlightTimeout)) {
                return Optional.empty();
            }
            Optional<UploadRepository.KeyRow> row = repo.key(key);
            if (row.isEmpty()) {
                continue; // expired or released between the insert and the read: claim again
            }
            UploadRepository.KeyRow r = row.get();
            if (!r.requestHash().equals(requestHash) || !r.endpoint().equals(endpoint)) {
                throw new Problem(422, "this Idempotency-Key was used with another request body; use a new key")
                        .with("field", HEADER);
            }
            if (!"completed".equals(r.status())) {
                throw new Problem(409, "a request with this Idempotency-Key is still being processed; retry later")
                        .with("field", HEADER);
            }
            return Optional.of(new Replay(r.responseStatus(), r.response()));
        }
        throw new Problem(409, "the Idempotency-Key is contended; retry later").with("field", HEADER);
    }

    public void complete(String key, int status, String responseJson) {
        repo.completeKey(key, status, responseJson);
    }

    public void release(String key) {
        repo.releaseKey(key);
    }
}
