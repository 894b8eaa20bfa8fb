package com.altus.hub.dropbox;

import com.altus.hub.platform.rest.Problem;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import org.apache.camel.model.rest.ResponseMessageDefinition;

/**
 * The shapes of the upload endpoints' bodies and answers, for the OpenAPI document that
 * camel-openapi-java generates from the REST DSL (CONTRACT section 5). The routes do not bind
 * to these classes: bodies are parsed as streams by {@link UploadBody}.
 */
public final class UploadApiModel {
    private UploadApiModel() {
    }

    /** A documented answer with its model (by binary class name: the canonical name of a nested class does not load). */
    public static ResponseMessageDefinition answer(int code, String message, Class<?> model) {
        ResponseMessageDefinition m = new ResponseMessageDefinition();
        m.setCode(String.valueOf(code));
        m.setMessage(message);
        m.setResponseModel(model.getName());
        return m;
    }

    /** A documented problem+json answer. */
    public static ResponseMessageDefinition problem(int code, String message) {
        ResponseMessageDefinition m = answer(code, message, ProblemDetails.class);
        m.setContentType(Problem.MEDIA_TYPE);
        return m;
    }

    @Schema(name = "UploadMeta", description = "DoorLoop identities of the document (ids as DoorLoop sends them); "
            + "the levels the entity_type or category needs are required")
    public static class Meta {
        @JsonProperty("owner_id") public String ownerId;
        @JsonProperty("owner_name") public String ownerName;
        @JsonProperty("property_id") public String propertyId;
        @JsonProperty("property_name") public String propertyName;
        @JsonProperty("unit_id") public String unitId;
        @JsonProperty("unit_name") public String unitName;
        @JsonProperty("lease_id") public String leaseId;
        @JsonProperty("tenant_id") public String tenantId;
        @JsonProperty("tenant_name") public String tenantName;
    }

    @Schema(name = "DropboxUploadRequest", requiredProperties = {"entity_type", "meta", "original_filename", "file_base64"})
    public static class DropboxUpload {
        @JsonProperty("entity_type")
        @Schema(allowableValues = {"PropertyPhoto", "UnitPhoto", "Inspection", "WorkOrder", "LeaseSigned", "LeaseAmendment",
                "LeaseAddendum", "TenantCorrespondence", "TenantNotice", "RentReceipt", "SubsidyDoc", "MoveInDoc",
                "MoveOutDoc", "TenantCompliance", "TenantLegal", "TenantDocument"})
        public String entityType;
        public Meta meta;
        @JsonProperty("original_filename")
        @Schema(description = "file name (no control characters or '..', at most 255 bytes); '/' and '\\' become '_'")
        public String originalFilename;
        @JsonProperty("file_base64")
        @Schema(format = "byte", description = "the file, base64; streamed to a spool file, never held in memory")
        public String fileBase64;
    }

    @Schema(name = "StoredFile", description = "the stored file (an existing file with the same name and content_hash, "
            + "or the file under a free name 'name (n).ext')")
    public static class Stored {
        public boolean ok;
        public String path;
        public String rev;
        public long size;
        @JsonProperty("content_hash")
        @Schema(description = "Dropbox content_hash (SHA-256 of the 4 MiB block SHA-256s), checked against what the hub received")
        public String contentHash;
        @JsonProperty("file_asset_id")
        public String fileAssetId;
    }

    @Schema(name = "UploadSessionStartRequest", requiredProperties = {"meta", "filename"},
            description = "entity_type or category (one of them)")
    public static class SessionStart {
        public Meta meta;
        @JsonProperty("entity_type")
        public String entityType;
        @Schema(allowableValues = {"media-unit", "media-property", "inspection", "workorder"})
        public String category;
        public String filename;
        @JsonProperty("first_chunk_base64")
        @Schema(format = "byte")
        public String firstChunkBase64;
    }

    @Schema(name = "UploadSessionStarted")
    public static class SessionStarted {
        public boolean ok;
        @JsonProperty("session_id")
        public String sessionId;
        public long offset;
        @JsonProperty("dest_path")
        public String destPath;
    }

    @Schema(name = "UploadSessionAppendRequest", requiredProperties = {"session_id", "offset", "chunk_base64"},
            description = "JSON append; raw bytes go as application/octet-stream with ?session_id=&offset=")
    public static class SessionAppend {
        @JsonProperty("session_id")
        public String sessionId;
        public long offset;
        @JsonProperty("chunk_base64")
        @Schema(format = "byte")
        public String chunkBase64;
    }

    @Schema(name = "UploadSessionOffset")
    public static class Offset {
        public boolean ok;
        @Schema(description = "bytes the session holds")
        public long offset;
    }

    @Schema(name = "UploadSessionFinishRequest", requiredProperties = {"session_id", "offset"})
    public static class SessionFinish {
        @JsonProperty("session_id")
        public String sessionId;
        @Schema(description = "the session's total size (its offset)")
        public long offset;
    }

    @Schema(name = "Problem", description = "RFC 9457 problem details")
    public static class ProblemDetails {
        public String type;
        public String title;
        public int status;
        public String detail;
        public String instance;
        @Schema(description = "the request member, parameter or header at fault (400, 413, 409 on a key)")
        public String field;
        @JsonProperty("correct_offset")
        @Schema(description = "409 on an append or finish: the session's offset, to resume from")
        public Long correctOffset;
        @JsonProperty("dropbox_error_summary")
        public String dropboxErrorSummary;
        @JsonProperty("limit_bytes")
        public Long limitBytes;
        @JsonProperty("problem_id")
        public String problemId;
    }
}
