package com.altus.hub.dropbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenAPI 3 description of the upload endpoints (served at /api/openapi/dropbox.json).
 * They are Spring MVC handlers, so Camel's generated /api/openapi.json cannot list them; this
 * document uses the same conventions (bearer token, problem+json errors).
 */
@SuppressWarnings("unchecked")
final class UploadOpenApi {
    private UploadOpenApi() {
    }

    static Map<String, Object> document(String version) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.0.3");
        doc.put("info", Map.of("title", "Altus Integration Hub: Dropbox uploads", "version", version,
                "description", "Uploads into the Dropbox document hub (CONTRACT sections 5 and 9). Every call needs "
                        + "Authorization: Bearer <HUB_API_TOKEN>; errors are application/problem+json."));
        doc.put("components", Map.of(
                "securitySchemes", Map.of("bearer", Map.of("type", "http", "scheme", "bearer")),
                "schemas", Map.of(
                        "Meta", object(Map.of("owner_id", str(), "owner_name", str(), "property_id", str(), "property_name", str(),
                                "unit_id", str(), "unit_name", str(), "lease_id", str(), "tenant_id", str(), "tenant_name", str())),
                        "Stored", object(Map.of("ok", Map.of("type", "boolean"), "path", str(), "rev", str(),
                                "size", Map.of("type", "integer", "format", "int64"), "content_hash", str(), "file_asset_id", str())),
                        "Problem", object(Map.of("type", str(), "title", str(), "status", Map.of("type", "integer"),
                                "detail", str(), "field", str(), "correct_offset", Map.of("type", "integer"),
                                "dropbox_error_summary", str())))));
        doc.put("security", List.of(Map.of("bearer", List.of())));
        Map<String, Object> paths = new LinkedHashMap<>();
        paths.put("/api/dropbox_upload", post("Stores one file (base64) in its folder by entity_type",
                json(object(Map.of("entity_type", Map.of("type", "string", "enum", List.copyOf(FolderMap.ENTITY_TYPES.keySet())),
                        "meta", ref("Meta"), "original_filename", str(), "file_base64", Map.of("type", "string", "format", "byte")))),
                ref("Stored"), true));
        paths.put("/api/upload_session/start", post("Opens a resumable upload session (entity_type or category)",
                json(object(Map.of("meta", ref("Meta"), "entity_type", str(),
                        "category", Map.of("type", "string", "enum", List.copyOf(FolderMap.CATEGORIES.keySet())),
                        "filename", str(), "first_chunk_base64", Map.of("type", "string", "format", "byte")))),
                object(Map.of("ok", Map.of("type", "boolean"), "session_id", str(), "offset", Map.of("type", "integer"),
                        "dest_path", str())), false));
        Map<String, Object> appendBody = new LinkedHashMap<>();
        appendBody.put("application/json", Map.of("schema", object(Map.of("session_id", str(), "offset", Map.of("type", "integer"),
                "chunk_base64", Map.of("type", "string", "format", "byte")))));
        appendBody.put("application/octet-stream", Map.of("schema", Map.of("type", "string", "format", "binary")));
        Map<String, Object> append = post("Appends bytes at the session's offset (JSON base64, or raw bytes with "
                + "?session_id=&offset=); a wrong offset is 409 with correct_offset",
                Map.of("required", true, "content", appendBody),
                object(Map.of("ok", Map.of("type", "boolean"), "offset", Map.of("type", "integer"))), false);
        ((Map<String, Object>) append.get("post")).put("parameters", List.of(
                Map.of("name", "session_id", "in", "query", "required", false, "schema", str()),
                Map.of("name", "offset", "in", "query", "required", false, "schema", Map.of("type", "integer"))));
        paths.put("/api/upload_session/append", append);
        paths.put("/api/upload_session/finish", post("Commits the session; the stored file is checked against its content_hash",
                json(object(Map.of("session_id", str(), "offset", Map.of("type", "integer")))), ref("Stored"), false));
        paths.put("/api/ingest_upload", post("Stores a Deal Room or Field App file in its folder by category",
                json(object(Map.of("source", Map.of("type", "string", "enum", List.of("dealroom", "fieldapp")),
                        "payload", object(Map.of("owner_id", str(), "owner_name", str(), "property_id", str(),
                                "property_name", str(), "unit_id", str(), "unit_name", str(), "actor_id", str(),
                                "file_name", str(), "file_base64", Map.of("type", "string", "format", "byte"),
                                "category", Map.of("type", "string", "enum", List.copyOf(FolderMap.CATEGORIES.keySet()))))))),
                ref("Stored"), true));
        doc.put("paths", paths);
        return doc;
    }

    private static Map<String, Object> post(String summary, Map<String, Object> body, Map<String, Object> ok, boolean idempotent) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("summary", summary);
        if (idempotent) {
            op.put("parameters", List.of(Map.of("name", "Idempotency-Key", "in", "header", "required", false,
                    "description", "at most 255 characters; the same key and body replays the answer "
                            + "(Idempotent-Replayed: true), another body is 422, in flight is 409; kept 24 h",
                    "schema", Map.of("type", "string", "maxLength", 255))));
        }
        op.put("requestBody", body);
        Map<String, Object> responses = new LinkedHashMap<>();
        responses.put("200", Map.of("description", "done", "content", Map.of("application/json", Map.of("schema", ok))));
        for (String code : List.of("400", "401", "404", "409", "413", "422", "502", "503")) {
            responses.put(code, Map.of("description", com.altus.hub.platform.rest.Problem.title(Integer.parseInt(code)),
                    "content", Map.of("application/problem+json", Map.of("schema", ref("Problem")))));
        }
        op.put("responses", responses);
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("post", op);
        return item;
    }

    private static Map<String, Object> json(Map<String, Object> schema) {
        return Map.of("required", true, "content", Map.of("application/json", Map.of("schema", schema)));
    }

    private static Map<String, Object> object(Map<String, Object> props) {
        return Map.of("type", "object", "properties", new java.util.TreeMap<>(props));
    }

    private static Map<String, Object> str() {
        return Map.of("type", "string");
    }

    private static Map<String, Object> ref(String name) {
        return Map.of("$ref", "#/components/schemas/" + name);
    }
}
