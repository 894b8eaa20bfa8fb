package com.altus.hub.dropbox;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Request builders shared by the upload API tests (samples, bodies, raw appends). */
final class UploadApiSupport {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private UploadApiSupport() {
    }

    static Path samples() {
        return Path.of(System.getProperty("hub.test.basedir", "."), "samples", "ingest");
    }

    static String sample(String name) throws Exception {
        return Files.readString(samples().resolve(name));
    }

    static JsonNode expected(String name) throws Exception {
        return MAPPER.readTree(samples().resolve("expected.json").toFile()).get("files").get(name);
    }

    static ObjectNode meta() throws Exception {
        return (ObjectNode) MAPPER.readTree(sample("dropbox_upload.json")).get("meta").deepCopy();
    }

    static String uploadBody(String entityType, String filename, byte[] content) throws Exception {
        ObjectNode b = MAPPER.createObjectNode();
        b.put("entity_type", entityType);
        b.set("meta", meta());
        b.put("original_filename", filename);
        b.put("file_base64", Base64.getEncoder().encodeToString(content));
        return MAPPER.writeValueAsString(b);
    }

    static HttpResponse<String> post(HttpClient http, String base, String path, String json, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + HubTestBase.TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> postRaw(HttpClient http, String base, String sessionId, long offset, byte[] bytes)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/api/upload_session/append?session_id=" + sessionId
                        + "&offset=" + offset))
                .header("Authorization", "Bearer " + HubTestBase.TOKEN).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
