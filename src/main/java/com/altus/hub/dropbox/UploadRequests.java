package com.altus.hub.dropbox;

import com.altus.hub.platform.rest.Problem;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reads the small members of upload bodies with 400s that name the field (plain code, no Spring). */
public final class UploadRequests {
    private UploadRequests() {
    }

    /** A canonical upload: where it goes and what to record about it. */
    public record Canonical(String source, String entityType, FolderMap.Meta meta, String actorId,
                            String originalFilename, String path) {
    }

    public static String text(ObjectNode body, String prefix, String field, boolean required) {
        JsonNode v = body.get(field);
        String name = prefix + field;
        if (v == null || v.isNull()) {
            if (required) {
                throw Problem.badRequest(name, "'" + name + "' is required");
            }
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isIntegralNumber()) {
            return v.asText(); // ids sent as numbers are taken as their decimal text
        }
        throw Problem.badRequest(name, "'" + name + "' must be a string");
    }

    public static ObjectNode object(ObjectNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw Problem.badRequest(field, "'" + field + "' is required");
            }
            return body.objectNode();
        }
        if (!(v instanceof ObjectNode o)) {
            throw Problem.badRequest(field, "'" + field + "' must be an object");
        }
        return o;
    }

    public static long offset(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw Problem.badRequest(field, "'" + field + "' is required");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw Problem.badRequest(field, "'" + field + "' must be a non-negative integer");
        }
        return v.asLong();
    }

    public static long offset(String query, String field) {
        if (query == null || query.isBlank()) {
            throw Problem.badRequest(field, "'" + field + "' is required");
        }
        try {
            long n = Long.parseLong(query.trim());
            if (n < 0) {
                throw Problem.badRequest(field, "'" + field + "' must be a non-negative integer");
            }
            return n;
        } catch (NumberFormatException e) {
            throw Problem.badRequest(field, "'" + field + "' must be a non-negative integer");
        }
    }

    public static java.util.UUID sessionId(String v) {
        if (v == null || v.isBlank()) {
            throw Problem.badRequest("session_id", "'session_id' is required");
        }
        try {
            return java.util.UUID.fromString(v.trim());
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("session_id", "'session_id' is not a valid session id");
        }
    }

    /** meta{owner_id, owner_name, property_id, property_name, unit_id, unit_name, lease_id, tenant_id, tenant_name}. */
    public static FolderMap.Meta meta(ObjectNode meta, String prefix) {
        return new FolderMap.Meta(text(meta, prefix, "owner_id", false), text(meta, prefix, "owner_name", false),
                text(meta, prefix, "property_id", false), text(meta, prefix, "property_name", false),
                text(meta, prefix, "unit_id", false), text(meta, prefix, "unit_name", false),
                text(meta, prefix, "lease_id", false), text(meta, prefix, "tenant_id", false),
                text(meta, prefix, "tenant_name", false));
    }

    /** The body of POST /api/dropbox_upload (file_base64 is in the spool, not here). */
    public static Canonical dropboxUpload(FolderMap map, ObjectNode body) {
        String entityType = text(body, "", "entity_type", true);
        FolderMap.Target target = FolderMap.entityType(entityType, "entity_type");
        ObjectNode metaNode = object(body, "meta", true);
        FolderMap.Meta meta = meta(metaNode, "meta.");
        String filename = text(body, "", "original_filename", true);
        String path = filePath(map, entityType, target, metaNode, meta, filename, "original_filename");
        return new Canonical("api", entityType, meta, null, filename, path);
    }

    /**
     * Full path of an uploaded file: the entity_type's folder, except that a TenantLegal document
     * whose meta has a {@code case_number} lands in its case's folder,
     * {@code {tenancy}/10_Legal/{case_number}} (CONTRACT section 10; the legal import creates it).
     */
    public static String filePath(FolderMap map, String entityType, FolderMap.Target target, ObjectNode metaNode,
                                  FolderMap.Meta meta, String fileName, String fileField) {
        String caseNumber = "TenantLegal".equals(entityType) ? text(metaNode, "meta.", "case_number", false) : null;
        if (caseNumber == null || caseNumber.isBlank()) {
            return map.filePath(target, meta, fileName, fileField);
        }
        String caseFolder = FolderMap.fileName(caseNumber, "meta.case_number");
        return map.legalCasePath(map.folder(target.level(), meta), caseFolder) + "/" + FolderMap.fileName(fileName, fileField);
    }
}
