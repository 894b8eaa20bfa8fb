package com.altus.hub.dropbox;

import java.time.Duration;
import java.util.Optional;

import com.altus.hub.platform.rest.Problem;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * Idempotency-Key handling (draft-ietf-httpapi-idempotency-key-header, Stripe practice) for the
 * upload endpoints: the first request with a key owns it (a row in_progress, decided by the
 * primary key), the same key and body later replays the stored answer, another body is 422,
 * a request while the first is in flight is 409. Keys live {@code hub.idempotency.ttl}; a claim
 * still in progress after {@code hub.idempotency.in-flight-timeout} (its hub died) is given up.
 */
@Service
public class IdempotencyService {
    public static final String HEADER = "Idempotency-Key";
    public static final int MAX_KEY_LENGTH = 255;

    private final UploadRepository repo;
    private final Duration ttl;
    private final Duration inFlightTimeout;

    public IdempotencyService(UploadRepository repo, @Value("${hub.idempotency.ttl:PT24H}") Duration ttl,
                              @Value("${hub.idempotency.in-flight-timeout:PT30M}") Duration inFlightTimeout) {
        this.repo = repo;
        this.ttl = ttl;
        this.inFlightTimeout = inFlightTimeout;
    }

    /** A stored answer to replay. */
    public record Replay(int status, String body) {
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
