package com.altus.hub.schedule;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.altus.hub.test.FakeHttpServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A fake of Supabase's GoTrue admin API and Storage, to their public contract: users created with
 * a caller-chosen id, 422 {@code email_exists} for a taken email, 404 {@code user_not_found};
 * Storage objects at {@code /storage/v1/object/{bucket}/{path}} where a duplicate without
 * {@code x-upsert: true} answers HTTP 400 with {@code "statusCode":"409"} in the body. Requests
 * without the service role key in both {@code apikey} and {@code Authorization} get 401.
 * Faults (429 + Retry-After, 500, dropped connections) come from {@link FakeHttpServer}.
 */
public final class FakeSupabase extends FakeHttpServer {
    public static final String SERVICE_KEY = "fake-service-role-key-0123456789";
    private static final String USERS = "/auth/v1/admin/users";
    private static final String OBJECTS = "/storage/v1/object/";

    private final ObjectMapper json = new ObjectMapper();
    /** Auth users by id. */
    public final Map<UUID, ObjectNode> users = new ConcurrentHashMap<>();
    /** Auth user ids by lower-case email (GoTrue's unique email index). */
    private final Map<String, UUID> emails = new ConcurrentHashMap<>();
    /** Storage objects by "bucket/path". */
    public final Map<String, byte[]> objects = new ConcurrentHashMap<>();

    public FakeSupabase() {
        on("POST", USERS, this::createUser);
        on("GET", USERS, this::getUser);
        on("PUT", USERS + "/", this::updateUser);
        on("DELETE", USERS + "/", this::deleteUser);
        on("POST", OBJECTS, r -> putObject(r, false));
        on("PUT", OBJECTS, r -> putObject(r, true));
    }

    public void reset() {
        users.clear();
        emails.clear();
        objects.clear();
        clearFaults();
        clearRequests();
    }

    /** Requests to the auth admin API (not Storage). */
    public long authCalls() {
        return requests(r -> r.path().startsWith("/auth/")).size();
    }

    public String object(String bucket, String path) {
        byte[] b = objects.get(bucket + "/" + path);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** An auth user made by someone else (another id) holding this email. */
    public UUID addForeignUser(String email) {
        UUID id = UUID.randomUUID();
        ObjectNode u = json.createObjectNode();
        u.put("id", id.toString());
        u.put("email", email);
        u.set("user_metadata", json.createObjectNode());
        users.put(id, u);
        emails.put(email.toLowerCase(), id);
        return id;
    }

    /** An operator deleting an auth user by hand (its email becomes free). */
    public synchronized void removeUser(UUID id) {
        ObjectNode u = users.remove(id);
        if (u != null) {
            emails.remove(u.path("email").asText().toLowerCase());
        }
    }

    private synchronized Response createUser(Recorded r) throws Exception {
        if (!authorized(r)) {
            return unauthorized();
        }
        JsonNode body = json.readTree(r.body());
        String email = body.path("email").asText(null);
        if (email == null || email.isBlank()) {
            return error(422, "validation_failed", "Unable to validate email address: invalid format");
        }
        if (emailOwner(email) != null) {
            return error(422, "email_exists", "A user with this email address has already been registered");
        }
        UUID id = body.hasNonNull("id") ? UUID.fromString(body.get("id").asText()) : UUID.randomUUID();
        if (users.containsKey(id)) {
            // GoTrue fails on the primary key; its answer is a 500 "Database error creating new user"
            return error(500, "unexpected_failure", "Database error creating new user");
        }
        ObjectNode u = json.createObjectNode();
        u.put("id", id.toString());
        u.put("aud", "authenticated");
        u.put("role", "authenticated");
        u.put("email", email.toLowerCase());
        u.put("email_confirmed_at", body.path("email_confirm").asBoolean() ? "2025-12-10T05:00:00Z" : null);
        u.set("user_metadata", body.has("user_metadata") ? body.get("user_metadata") : json.createObjectNode());
        users.put(id, u);
        emails.put(email.toLowerCase(), id);
        return Response.json(200, json.writeValueAsString(u));
    }

    private Response getUser(Recorded r) throws Exception {
        if (!authorized(r)) {
            return unauthorized();
        }
        if (r.path().length() > USERS.length() + 1) {
            ObjectNode u = users.get(UUID.fromString(r.path().substring(USERS.length() + 1)));
            return u == null ? error(404, "user_not_found", "User not found") : Response.json(200, json.writeValueAsString(u));
        }
        ObjectNode page = json.createObjectNode();
        ArrayNode list = page.putArray("users");
        users.values().forEach(list::add);
        page.put("aud", "authenticated");
        return Response.json(200, json.writeValueAsString(page));
    }

    private synchronized Response updateUser(Recorded r) throws Exception {
        if (!authorized(r)) {
            return unauthorized();
        }
        UUID id = UUID.fromString(r.path().substring(USERS.length() + 1));
        ObjectNode u = users.get(id);
        if (u == null) {
            return error(404, "user_not_found", "User not found");
        }
        JsonNode body = json.readTree(r.body());
        if (body.hasNonNull("email")) {
            UUID owner = emailOwner(body.get("email").asText());
            if (owner != null && !owner.equals(id)) {
                return error(422, "email_exists", "A user with this email address has already been registered");
            }
            emails.remove(u.path("email").asText().toLowerCase());
            u.put("email", body.get("email").asText().toLowerCase());
            emails.put(body.get("email").asText().toLowerCase(), id);
        }
        if (body.has("user_metadata")) {
            u.set("user_metadata", body.get("user_metadata"));
        }
        return Response.json(200, json.writeValueAsString(u));
    }

    private synchronized Response deleteUser(Recorded r) throws Exception {
        if (!authorized(r)) {
            return unauthorized();
        }
        ObjectNode u = users.remove(UUID.fromString(r.path().substring(USERS.length() + 1)));
        if (u != null) {
            emails.remove(u.path("email").asText().toLowerCase());
        }
        return u == null ? error(404, "user_not_found", "User not found") : Response.json(200, "{}");
    }

    private Response putObject(Recorded r, boolean update) throws Exception {
        if (!authorized(r)) {
            return Response.json(400, "{\"statusCode\":\"403\",\"error\":\"Unauthorized\",\"message\":\"invalid signature\"}");
        }
        String key = r.path().substring(OBJECTS.length());
        boolean upsert = "true".equalsIgnoreCase(r.headers().getFirst("x-upsert"));
        boolean exists = objects.containsKey(key);
        if (!update && exists && !upsert) {
            return Response.json(400, "{\"statusCode\":\"409\",\"error\":\"Duplicate\",\"message\":\"The resource already exists\"}");
        }
        if (update && !exists) {
            return Response.json(400, "{\"statusCode\":\"404\",\"error\":\"not_found\",\"message\":\"Object not found\"}");
        }
        objects.put(key, r.body());
        return Response.json(200, "{\"Key\":\"" + key + "\",\"Id\":\"" + UUID.randomUUID() + "\"}");
    }

    private UUID emailOwner(String email) {
        return emails.get(email.toLowerCase());
    }

    private static boolean authorized(Recorded r) {
        return SERVICE_KEY.equals(r.headers().getFirst("apikey"))
                && ("Bearer " + SERVICE_KEY).equals(r.headers().getFirst("Authorization"));
    }

    private static Response unauthorized() {
        return Response.json(401, "{\"code\":401,\"error_code\":\"no_authorization\",\"msg\":\"This endpoint requires a Bearer token\"}");
    }

    private Response error(int status, String code, String msg) throws Exception {
        ObjectNode e = json.createObjectNode();
        e.put("code", status);
        e.put("error_code", code);
        e.put("msg", msg);
        return Response.json(status, json.writeValueAsString(e));
    }
}
