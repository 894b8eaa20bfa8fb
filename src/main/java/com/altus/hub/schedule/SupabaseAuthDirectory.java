package com.altus.hub.schedule;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import com.altus.hub.platform.http.Retrier;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Auth directory on Supabase GoTrue's admin API ({@code /auth/v1/admin/users}) with the service
 * role key. Creates users with {@code id = UserId} and a confirmed email; 422 {@code email_exists}
 * is told apart: the same id (left by an interrupted run) is updated, another id is
 * {@link EmailTakenException}. 429 and 5xx are retried by the {@link Retrier}, honouring Retry-After.
 */
public final class SupabaseAuthDirectory implements AuthDirectory {
    private static final java.util.Set<String> DUPLICATE_CODES = java.util.Set.of("email_exists", "user_already_exists");
    private final HttpClient http;
    private final String usersUrl;
    private final String serviceKey;
    private final Retrier retrier;
    private final ObjectMapper json;
    private final Duration timeout;

    public SupabaseAuthDirectory(HttpClient http, URI supabaseUrl, String serviceKey, Retrier retrier, ObjectMapper json,
                                 Duration timeout) {
        this.http = http;
        this.usersUrl = supabaseUrl.toString().replaceAll("/+$", "") + "/auth/v1/admin/users";
        this.serviceKey = serviceKey;
        this.retrier = retrier;
        this.json = json;
        this.timeout = timeout;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public void create(AuthUser user) throws Exception {
        ObjectNode body = body(user);
        body.put("id", user.id().toString());
        HttpResponse<String> r = call("create auth user " + user.id(), HttpRequest.newBuilder(URI.create(usersUrl))
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
        // GoTrue documents that 400 and 422 are used interchangeably for the same error, so the
        // error code decides, not the status
        if ((r.statusCode() == 422 || r.statusCode() == 400 || r.statusCode() == 409) && isEmailExists(r.body())) {
            // either this very user exists already (an earlier run created it and stopped before
            // recording that), or the email belongs to someone else
            HttpResponse<String> existing = get(user.id());
            if (existing.statusCode() == 200) {
                put(user);
                return;
            }
            throw new EmailTakenException("an auth user with email " + user.email()
                    + " already exists under another id than " + user.id() + " (GoTrue email_exists)");
        }
        check("create auth user " + user.id(), r);
    }

    @Override
    public void update(AuthUser user) throws Exception {
        HttpResponse<String> r = putRaw(user);
        if (r.statusCode() == 404) {
            create(user);
            return;
        }
        if ((r.statusCode() == 422 || r.statusCode() == 400) && isEmailExists(r.body())) {
            throw new EmailTakenException("cannot change the email of auth user " + user.id() + " to " + user.email()
                    + ": another auth user already has it (GoTrue email_exists)");
        }
        check("update auth user " + user.id(), r);
    }

    @Override
    public void delete(UUID id) throws Exception {
        HttpResponse<String> r = call("delete auth user " + id,
                HttpRequest.newBuilder(URI.create(usersUrl + "/" + id)).DELETE());
        if (r.statusCode() != 404) {
            check("delete auth user " + id, r);
        }
    }

    private void put(AuthUser user) throws Exception {
        check("update auth user " + user.id(), putRaw(user));
    }

    private HttpResponse<String> putRaw(AuthUser user) throws Exception {
        return call("update auth user " + user.id(), HttpRequest.newBuilder(URI.create(usersUrl + "/" + user.id()))
                .PUT(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body(user)))));
    }

    private HttpResponse<String> get(UUID id) throws Exception {
        return call("get auth user " + id, HttpRequest.newBuilder(URI.create(usersUrl + "/" + id)).GET());
    }

    private ObjectNode body(AuthUser user) throws Exception {
        ObjectNode body = json.createObjectNode();
        body.put("email", user.email());
        body.put("email_confirm", true);
        body.set("user_metadata", json.readTree(user.metadataJson()));
        return body;
    }

    /** Sends with retries on 429/5xx/I/O; answers any other status for the caller to interpret. */
    private HttpResponse<String> call(String what, HttpRequest.Builder request) throws Exception {
        HttpRequest req = request.timeout(timeout)
                .header("apikey", serviceKey)
                .header("Authorization", "Bearer " + serviceKey)
                .header("Content-Type", "application/json")
                .build();
        return retrier.call(what, () -> {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 429 || r.statusCode() == 408 || r.statusCode() >= 500) {
                throw Retrier.failureFor("GoTrue: " + what, r.statusCode(), r.headers(), r.body());
            }
            return r;
        });
    }

    private static void check(String what, HttpResponse<String> r) {
        RuntimeException failure = Retrier.failureFor("GoTrue: " + what, r.statusCode(), r.headers(), r.body());
        if (failure != null) {
            throw failure;
        }
    }

    /** GoTrue's duplicate-email answer: error code email_exists or user_already_exists, in "error_code" or "code" (by version). */
    boolean isEmailExists(String body) {
        if (body == null || body.isBlank()) {
            return false;
        }
        try {
            JsonNode n = json.readTree(body);
            return DUPLICATE_CODES.contains(n.path("error_code").asText()) || DUPLICATE_CODES.contains(n.path("code").asText());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return body.contains("email_exists") || body.contains("user_already_exists");
        }
    }
}
