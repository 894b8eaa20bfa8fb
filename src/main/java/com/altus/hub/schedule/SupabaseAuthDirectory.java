package com.altus.hub.schedule;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import com.altus.hub.platform.http.Retrier;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Auth directory on Supabase GoTrue's admin API ({@code /auth/v1/admin/users}) with the service
 * role key. Creates users with {@code id = UserId} and a confirmed email; 422 {@code email_exists}
 * is told apart: the same id (left by an interrupted run) is updated, another id is
 * {@link EmailTakenException}. 429, 5xx and I/O errors (a read timeout included) are retried by the
 * {@link Retrier}, honouring Retry-After.
 */
public final class SupabaseAuthDirectory implements AuthDirectory {
    private static final java.util.Set<String> DUPLICATE_CODES = java.util.Set.of("email_exists", "user_already_exists");
    private final SupabaseHttp http;
    private final String usersUrl;
    private final String serviceKey;
    private final Retrier retrier;
    private final ObjectMapper json;

    SupabaseAuthDirectory(SupabaseHttp http, URI supabaseUrl, String serviceKey, Retrier retrier, ObjectMapper json) {
        this.http = http;
        this.usersUrl = supabaseUrl.toString().replaceAll("/+$", "") + "/auth/v1/admin/users";
        this.serviceKey = serviceKey;
        this.retrier = retrier;
        this.json = json;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public void create(AuthUser user) throws Exception {
        ObjectNode body = body(user);
        body.put("id", user.id().toString());
        SupabaseHttp.Answer r = call("create auth user " + user.id(), "POST", usersUrl, json.writeValueAsString(body));
        // GoTrue documents that 400 and 422 are used interchangeably for the same error, so the
        // error code decides, not the status
        if ((r.status() == 422 || r.status() == 400 || r.status() == 409) && isEmailExists(r.body())) {
            // either this very user exists already (an earlier run created it and stopped before
            // recording that), or the email belongs to someone else
            SupabaseHttp.Answer existing = get(user.id());
            if (existing.status() == 200) {
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
        SupabaseHttp.Answer r = putRaw(user);
        if (r.status() == 404) {
            create(user);
            return;
        }
        if ((r.status() == 422 || r.status() == 400) && isEmailExists(r.body())) {
            throw new EmailTakenException("cannot change the email of auth user " + user.id() + " to " + user.email()
                    + ": another auth user already has it (GoTrue email_exists)");
        }
        check("update auth user " + user.id(), r);
    }

    @Override
    public void delete(UUID id) throws Exception {
        SupabaseHttp.Answer r = call("delete auth user " + id, "DELETE", usersUrl + "/" + id, null);
        if (r.status() != 404) {
            check("delete auth user " + id, r);
        }
    }

    private void put(AuthUser user) throws Exception {
        check("update auth user " + user.id(), putRaw(user));
    }

    private SupabaseHttp.Answer putRaw(AuthUser user) throws Exception {
        return call("update auth user " + user.id(), "PUT", usersUrl + "/" + user.id(), json.writeValueAsString(body(user)));
    }

    private SupabaseHttp.Answer get(UUID id) throws Exception {
        return call("get auth user " + id, "GET", usersUrl + "/" + id, null);
    }

    private ObjectNode body(AuthUser user) throws Exception {
        ObjectNode body = json.createObjectNode();
        body.put("email", user.email());
        body.put("email_confirm", true);
        body.set("user_metadata", json.readTree(user.metadataJson()));
        return body;
    }

    /** Sends with retries on 429/5xx/I/O; answers any other status for the caller to interpret. */
    private SupabaseHttp.Answer call(String what, String method, String url, String body) throws Exception {
        Map<String, String> headers = Map.of("apikey", serviceKey, "Authorization", "Bearer " + serviceKey);
        byte[] bytes = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        URI uri = URI.create(url);
        return retrier.call(what, () -> {
            SupabaseHttp.Answer r = http.send(method, uri, headers, bytes, "application/json");
            if (r.status() == 429 || r.status() == 408 || r.status() >= 500) {
                throw Retrier.failureFor("GoTrue: " + what, r.status(), r.headers(), r.body());
            }
            return r;
        });
    }

    private static void check(String what, SupabaseHttp.Answer r) {
        RuntimeException failure = Retrier.failureFor("GoTrue: " + what, r.status(), r.headers(), r.body());
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
